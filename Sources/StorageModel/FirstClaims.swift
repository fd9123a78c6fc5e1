/// Remembers who first claimed each key, so a duplicate can name the original.
struct FirstClaims<Key: Hashable, Owner> {
    private var owners: [Key: Owner]

    init(_ owners: [Key: Owner] = [:]) { self.owners = owners }

    func owner(of key: Key) -> Owner? { owners[key] }

    /// The earlier owner of `key`; nil when `owner` is the first, which is then recorded.
    mutating func claim(_ key: Key, by owner: Owner) -> Owner? {
        if let first = owners[key] { return first }
        owners[key] = owner
        return nil
    }
}
