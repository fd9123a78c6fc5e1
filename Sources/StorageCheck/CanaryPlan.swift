import StorageFacts
import StorageModel

/// Which NFS canaries each hypervisor reads back during `check`. Per export, the hypervisors
/// that mounted it form a ring (in the order given): each reads what the next one wrote. Being
/// on the same export is an equivalence, so the cycle proves every host sees what every other
/// one wrote, with one read per host instead of N×(N−1), and each canary has exactly one
/// reader, which removes it in the same mount. `allPairs`: every host reads every other's.
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
            for (index, reader) in mounted.enumerated() {
                let writers = allPairs ? mounted.filter { $0.name != reader.name } : mounted.count > 1 ? [mounted[(index + 1) % mounted.count]] : []
                for writer in writers where wrote.contains(writer.name) {
                    result[reader.name, default: []].append(Read(writer: writer.name, export: export))
                }
            }
        }
        return result
    }

    /// Of the reads `reads` gives for the hosts decided so far (answered, silent or given up),
    /// the ones no later answer can change, so they can be made (and the canary removed) while
    /// others are still out: in the ring, a reader and the next writer with every host between
    /// them decided; with `allPairs`, every pair of decided hosts.
    public static func settledReads(hosts: [Host], facts: ClusterFacts, allPairs: Bool) -> [String: [Read]] {
        let planned = reads(hosts: hosts, facts: facts, allPairs: allPairs)
        if allPairs { return planned }
        let position = Dictionary(uniqueKeysWithValues: hosts.enumerated().map { ($1.name, $0) })
        func allDecided(after reader: String, before writer: String) -> Bool {
            guard let from = position[reader], let to = position[writer] else { return false }
            var index = (from + 1) % hosts.count
            while index != to {
                if facts.hosts[hosts[index].name] == nil { return false }
                index = (index + 1) % hosts.count
            }
            return true
        }
        var settled: [String: [Read]] = [:]
        for (reader, wanted) in planned {
            let kept = wanted.filter { allDecided(after: reader, before: $0.writer) }
            if !kept.isEmpty { settled[reader] = kept }
        }
        return settled
    }
}
