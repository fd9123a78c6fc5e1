/// A mount a hypervisor needs so shared storage is at the same path on every host.
public struct SharedMount: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case nfs(server: String, export: String)
        /// The export is local to this host (the NFS server is also a hypervisor).
        case bind(directory: String)
        case device(path: String, filesystem: ClusterFilesystem)
    }

    public var source: Source
    public var mountPoint: String
    public var options: [String]

    public var what: String {
        switch source {
        case .nfs(let server, let export): "\(server):\(export)"
        case .bind(let directory): directory
        case .device(let path, _): path
        }
    }

    public var type: String {
        switch source {
        case .nfs: "nfs"
        case .bind: "none"
        case .device(_, let filesystem): filesystem.rawValue
        }
    }

    public var needsNetwork: Bool {
        if case .bind = source { return false }
        return true
    }
}

extension ClusterSpec {
    /// Mounts of `host`, in spec order. An NFS server that is also a hypervisor does not mount
    /// itself over NFS (loopback NFS mounts can deadlock under memory pressure): where the export
    /// already is the mount path nothing is needed, elsewhere a bind mount makes the same path.
    public func sharedMounts(of host: Host) -> [SharedMount] {
        guard host.has(.hypervisor) else { return [] }
        var mounts: [SharedMount] = []
        if let nfs, let address = nfsServerAddress {
            for (index, export) in nfs.exports.enumerated() {
                guard let mountPoint = mountPath(ofExport: index) else { continue }
                if nfs.server == host.name {
                    if export.path != mountPoint {
                        mounts.append(SharedMount(source: .bind(directory: export.path), mountPoint: mountPoint, options: ["bind"]))
                    }
                } else {
                    var options = ["_netdev"]
                    for option in nfs.mountOptions where !options.contains(option) { options.append(option) }
                    mounts.append(SharedMount(source: .nfs(server: address, export: export.path), mountPoint: mountPoint, options: options))
                }
            }
        }
        if let iscsi, iscsi.filesystem != .none, let (target, lun) = iscsi.allLUNs.first {
            mounts.append(SharedMount(
                source: .device(path: "/dev/mapper/\(multipathAlias(of: target, lun))", filesystem: iscsi.filesystem),
                mountPoint: mountPath, options: ["_netdev", "noatime"]))
        }
        return mounts
    }

    /// Targets whose ACL lets `host` in.
    public func targets(reachableBy host: Host) -> [ISCSITarget] {
        let name = initiatorName(of: host)
        let index = hostsByName
        // An entry naming this host lets it in; another host's name only if that host has the
        // same initiator name; anything else is an initiator name. No name is built twice.
        var othersName: [String: Bool] = [:]
        func admits(_ entry: String) -> Bool {
            if entry == host.name { return true }
            guard let other = index[entry] else { return entry == name }
            if let known = othersName[entry] { return known }
            let same = initiatorName(of: other) == name
            othersName[entry] = same
            return same
        }
        return (iscsi?.targets ?? []).filter { $0.initiators.contains(where: admits) }
    }
}
