/// Hosts grouped by what they showed (a uid, an OS release, mount options): the most common
/// group is the usual one, and the hosts outside it are the ones to fix. On a tie there is no
/// usual group, and every host is named.
struct Outliers<Key: Hashable & Comparable> {
    /// Largest group first, then by key.
    let ranked: [(key: Key, hosts: [String])]
    let odd: [String]

    init(_ seen: [(host: String, key: Key)]) {
        let groups = Dictionary(grouping: seen, by: \.key).map { (key: $0.key, hosts: $0.value.map(\.host)) }
        ranked = groups.sorted { ($0.hosts.count, $1.key) > ($1.hosts.count, $0.key) }
        let tie = ranked.count > 1 && ranked[1].hosts.count == ranked[0].hosts.count
        odd = (tie ? seen.map(\.host) : ranked.dropFirst().flatMap(\.hosts)).sorted()
    }

    var agree: Bool { ranked.count <= 1 }
    var usual: Key? { ranked.first?.key }

    /// `hv1, hv2: <key>; hv3: <key>`.
    func described(_ show: (Key) -> String) -> String {
        ranked.map { "\($0.hosts.joined(separator: ", ")): \(show($0.key))" }.joined(separator: "; ")
    }
}
