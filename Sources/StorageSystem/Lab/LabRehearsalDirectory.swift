import Foundation
import StorageModel

extension LabLayout {
    /// Where a rehearsal's canary image goes when the spec's hypervisors are namespace-lab
    /// hosts: they share this machine's file system but each has its own /var/lib, so a
    /// directory they all see (sticky, world-writable like /tmp). nil when not needed or not
    /// made.
    public func sharedRehearsalDirectory(for spec: ClusterSpec) -> String? {
        guard !namespaceHosts.isEmpty, spec.hypervisors.contains(where: { $0.transport == .lab }) else { return nil }
        let directory = "\(dataDirectory)/rehearse"
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
            (try? FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: directory)) != nil
        else { return nil }
        return directory
    }
}
