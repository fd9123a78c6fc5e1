import StorageFacts
import StorageModel
import StorageSystem

/// Canary-VM migrations between pairs of hypervisors, each host reached through its transport
/// and its own storagekit, with the lab's shared directory standing in for the storage where
/// the hosts are namespaces of one machine. Progress reaches the caller as counts.
public enum RehearsalRun {
    public static func rehearse(
        _ pairs: [RehearsalPair], cluster: ClusterSpec, timeout: Duration, live: Bool, concurrency: Int,
        progress: @escaping @Sendable (_ done: Int, _ of: Int) -> Void
    ) async -> [RehearsalResult] {
        let lab = try? LabLayout(spec: cluster)
        let rehearser = MigrationRehearser(
            spec: cluster, transport: { host in try HostContext.make(cluster, host: host, lab: lab).transport },
            storagekit: { StorageKitOnHost.argv(on: $0, in: cluster) },
            timeout: timeout, live: live, concurrency: concurrency, namespaceLabDirectory: lab?.sharedRehearsalDirectory(for: cluster),
            progress: progress)
        progress(0, pairs.count)
        return await rehearser.rehearse(pairs)
    }
}
