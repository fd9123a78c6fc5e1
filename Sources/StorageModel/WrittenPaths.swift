/// A file or directory that storagekit creates or writes on a host because the spec names it,
/// with the spec field that names it (for errors such as the lab's refusal of `/usr`).
public struct WrittenPath: Sendable, Equatable {
    public var field: String
    public var path: String

    public init(field: String, path: String) {
        self.field = field
        self.path = path
    }
}

extension ClusterSpec {
    /// The paths outside /etc that storagekit writes on `host`, in spec order: the NFS server's
    /// export directories, the iSCSI target's backing files, a hypervisor's mount paths (where
    /// `rehearse` also puts its canary images). Block devices (`/dev/…`) are not included: they
    /// are disks, not places to write files.
    public func writtenPaths(of host: Host) -> [WrittenPath] {
        var paths: [WrittenPath] = []
        if let nfs, nfs.server == host.name {
            for (index, export) in nfs.exports.enumerated() {
                paths.append(WrittenPath(field: "nfs.exports[\(index)].path", path: export.path))
            }
        }
        for (t, target) in (iscsi?.targets ?? []).enumerated() where target.server == host.name {
            for (l, lun) in target.luns.enumerated() {
                paths.append(WrittenPath(field: "iscsi.targets[\(t)].luns[\(l)].backingStore", path: lun.backingStore))
            }
        }
        for mount in sharedMounts(of: host) {
            let index = nfs?.exports.firstIndex { $0.mountPath == mount.mountPoint }
            paths.append(WrittenPath(field: index.map { "nfs.exports[\($0)].mountPath" } ?? "mountPath", path: mount.mountPoint))
        }
        return paths.filter { $0.path.hasPrefix("/") && !$0.path.hasPrefix("/dev/") }
    }
}
