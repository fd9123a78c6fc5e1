/// Which hypervisor probes which peers' migration ports during `check`.
///
/// Every ordered pair is N×(N−1): 120,000 connects at 200 hosts, enough load to turn a ready
/// cluster NOT READY. The firewall storagekit writes admits sources by storage network, so a
/// destination's rules treat every source on the same networks alike: each destination is
/// probed by its two ring neighbours (hv1→hv2→…→hvN→hv1 in the given order), plus the nearest
/// host of every other group of sources the firewall tells apart. Two probers per destination
/// tell a destination that drops from a prober that is cut off. `allPairs` keeps the matrix.
///
/// The whole qemu migration range (64 ports) is swept by one prober of each group of sources
/// per destination: its ring predecessor in a cluster on one network. The others connect to the
/// range's first and last port, which tells the destination's rules apart from the prober's
/// path at a 32nd of the connects. With `allPairs` every prober sweeps.
public struct PeerPlan: Sendable, Equatable {
    /// Destination host names, by source host name.
    public let targets: [String: [String]]
    /// Of `targets`, the destinations whose whole migration range the source sweeps.
    public let sweeps: [String: [String]]
    public let allPairs: Bool

    public init(hosts: [Host], networks: [String] = [], allPairs: Bool) {
        self.allPairs = allPairs
        let names = hosts.map(\.name)
        guard names.count > 1 else {
            targets = Dictionary(uniqueKeysWithValues: names.map { ($0, []) })
            sweeps = targets
            return
        }
        if allPairs {
            targets = Dictionary(uniqueKeysWithValues: names.map { name in (name, names.filter { $0 != name }) })
            sweeps = targets
            return
        }
        let parsed = networks.compactMap(IPv4Network.init)
        let group = hosts.map { host in Self.firewallGroup(of: host, in: parsed) }
        var probers: [[Int]] = Array(repeating: [], count: names.count)
        var sweepers: [[Int]] = Array(repeating: [], count: names.count)
        let count = names.count
        for destination in 0..<count {
            var chosen = [(destination + count - 1) % count, (destination + 1) % count]
            // The nearest source (in ring order after the destination) of each group the
            // neighbours do not stand for.
            for step in 1..<count {
                let source = (destination + step) % count
                if !chosen.contains(where: { group[$0] == group[source] }) { chosen.append(source) }
            }
            var seen = Set<Int>()
            probers[destination] = chosen.filter { seen.insert($0).inserted }
            var groups = Set<[Int]>()
            sweepers[destination] = probers[destination].filter { groups.insert(group[$0]).inserted }
        }
        targets = Self.bySource(probers, names: names)
        sweeps = Self.bySource(sweepers, names: names)
    }

    /// Source name → destination names, from the sources of each destination index.
    static func bySource(_ sourcesByDestination: [[Int]], names: [String]) -> [String: [String]] {
        var result: [String: [String]] = Dictionary(uniqueKeysWithValues: names.map { ($0, []) })
        for (destination, sources) in sourcesByDestination.enumerated() {
            for source in sources { result[names[source], default: []].append(names[destination]) }
        }
        return result
    }

    /// The peers `source` probes (none for a host outside the plan).
    public func peers(of source: String) -> [String] { targets[source] ?? [] }

    /// The peers whose whole migration range `source` sweeps.
    public func sweeps(of source: String) -> [String] { sweeps[source] ?? [] }

    /// The hosts that probe `destination`.
    public func probers(of destination: String) -> [String] {
        targets.filter { $0.value.contains(destination) }.map(\.key).sorted()
    }

    /// Which storage networks a host's addresses are in: the firewall's sources are networks,
    /// so hosts in the same ones are let in or kept out by the same rules.
    static func firewallGroup(of host: Host, in networks: [IPv4Network]) -> [Int] {
        host.addresses.compactMap(IPv4Address.init).map { address in networks.firstIndex { $0.contains(address) } ?? -1 }
    }
}
