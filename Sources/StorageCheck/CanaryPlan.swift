import StorageModel

/// Which NFS canaries each hypervisor reads back during `check`. Per export, the hypervisors
/// that mounted it form a `PeerPlan` ring (in the order given): each reads what its neighbours
/// wrote, so every canary is read and every reader reads, without N×(N−1) reads on the server.
/// The gatherer asks for exactly these reads and the rule expects exactly these.
public enum CanaryPlan {
    public struct Read: Sendable, Hashable {
        public var writer: String
        public var export: String
    }

    /// The reads each host should make, by reader name.
    public static func reads(hosts: [Host], facts: ClusterFacts, allPairs: Bool) -> [String: [Read]] {
        let exports = Set(hosts.flatMap { host in (facts.facts(host.name)?.nfs?.mounts ?? []).map(\.export) }).sorted()
        var result: [String: [Read]] = [:]
        for export in exports {
            let mounted = hosts.filter { host in facts.facts(host.name)?.nfs?.mounts.contains { $0.export == export && $0.error == nil } ?? false }
            let wrote = Set(mounted.filter { host in facts.facts(host.name)?.nfs?.mounts.contains { $0.export == export && $0.canary != nil } ?? false }.map(\.name))
            let plan = PeerPlan(hosts: mounted, allPairs: allPairs)
            for reader in mounted {
                for writer in plan.peers(of: reader.name) where wrote.contains(writer) {
                    result[reader.name, default: []].append(Read(writer: writer, export: export))
                }
            }
        }
        return result
    }
}
