/// A state word of a tool (DRBD's `UpToDate`, open-iscsi's `LOGGED_IN`): the words we act on are
/// cases, and one we have not met is kept as it was printed rather than refused, since a newer
/// release may add some. Encoded as the word itself.
public protocol ToolWord: RawRepresentable<String>, Sendable, Codable, Hashable, CustomStringConvertible {
    static var known: [Self] { get }
    static func other(_ word: String) -> Self
}

extension ToolWord {
    public init(rawValue: String) { self = Self.named(rawValue) }

    public init(_ word: some StringProtocol) { self = Self.named(String(word)) }

    static func named(_ word: String) -> Self { known.first { $0.rawValue == word } ?? .other(word) }

    public var description: String { rawValue }
}
