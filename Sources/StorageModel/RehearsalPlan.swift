/// Shared storage a canary VM's disk can sit on during `rehearse`, as a guest's disk would.
public enum RehearsalStorage: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A directory every hypervisor mounts (NFS, or a cluster file system on a LUN): the canary
    /// is a small image storagekit creates there.
    case directory(String)
    /// A block device guests use directly (a multipath map of a raw LUN, a DRBD device): opened
    /// read-only, because it may hold guests' data.
    case device(String, BlockKind)

    public enum BlockKind: String, Sendable, Codable {
        case multipath, drbd
    }

    public var path: String {
        switch self {
        case .directory(let path), .device(let path, _): path
        }
    }

    public var isDirectory: Bool {
        if case .directory = self { return true }
        return false
    }

    /// The disk a rehearsal's canary VM opens: the image storagekit makes in a directory (its
    /// name marks it as storagekit's, for whoever finds one left), or the device itself.
    public func canaryDisk(id: String) -> String {
        switch self {
        case .directory(let path): "\(path)/storagekit-canary-\(id).img"
        case .device(let path, _): path
        }
    }

    public var description: String {
        switch self {
        case .directory(let path): "\(path) (shared directory)"
        case .device(let path, let kind): "\(path) (\(kind.rawValue) device)"
        }
    }
}

/// One rehearsal: a canary VM on `source` migrated to `destination`, its disk on `storage`.
public struct RehearsalPair: Sendable, Hashable, Codable, CustomStringConvertible {
    public var source: String
    public var destination: String
    public var storage: RehearsalStorage

    public init(source: String, destination: String, storage: RehearsalStorage) {
        self.source = source
        self.destination = destination
        self.storage = storage
    }

    public var description: String { "\(source) → \(destination) on \(storage.path)" }
}

/// Which hypervisors hand a canary to which during `rehearse`.
public enum RehearsalSelection: Sendable, Equatable {
    /// hv1→hv2→…→hvN→hv1: every host is a source once and a destination once.
    case ring
    /// Every ordered pair: N×(N−1).
    case allPairs
    /// One pair.
    case pair(from: String, to: String)
}

extension ClusterSpec {
    /// The shared storage `host` gives its guests, in spec order: each NFS export's mount path,
    /// the cluster file system's mount path, each raw LUN's multipath map, each DRBD device.
    public func rehearsalStorages(of host: Host) -> [RehearsalStorage] {
        guard host.has(.hypervisor) else { return [] }
        var result: [RehearsalStorage] = []
        func add(_ storage: RehearsalStorage) { if !result.contains(storage) { result.append(storage) } }
        if let nfs {
            for (index, export) in nfs.exports.enumerated() where export.admits(host) || nfs.server == host.name {
                if let path = mountPath(ofExport: index) { add(.directory(path)) }
            }
        }
        if let iscsi {
            if iscsi.filesystem != .none {
                if !iscsi.allLUNs.isEmpty { add(.directory(mountPath)) }
            } else {
                let reachable = Set(targets(reachableBy: host).map(\.iqn))
                for (target, lun) in iscsi.allLUNs where reachable.contains(target.iqn) {
                    add(.device("/dev/mapper/\(multipathAlias(of: target, lun))", .multipath))
                }
            }
        }
        for resource in drbdResources(of: host.name) { add(.device(resource.device, .drbd)) }
        return result
    }

    /// The rehearsals of `selection` among `hypervisors` (in the order given). A ring is made per
    /// storage, among the hosts that have it (a host that shares nothing with its neighbour in
    /// the host list still gets its pairs); every pair, and one pair, are rehearsed on each
    /// storage both hosts have.
    public func rehearsalPairs(_ selection: RehearsalSelection, among hypervisors: [Host]) -> [RehearsalPair] {
        let storages = Dictionary(uniqueKeysWithValues: hypervisors.map { ($0.name, rehearsalStorages(of: $0)) })
        func common(_ source: Host, _ destination: Host) -> [RehearsalPair] {
            let theirs = Set(storages[destination.name] ?? [])
            return (storages[source.name] ?? []).filter(theirs.contains).map { RehearsalPair(source: source.name, destination: destination.name, storage: $0) }
        }
        switch selection {
        case .ring:
            var order: [RehearsalStorage] = []
            for host in hypervisors { for storage in storages[host.name] ?? [] where !order.contains(storage) { order.append(storage) } }
            return order.flatMap { storage -> [RehearsalPair] in
                let sharing = hypervisors.filter { storages[$0.name]?.contains(storage) == true }
                guard sharing.count > 1 else { return [] }
                // Two hosts: hv1→hv2 and hv2→hv1, each a source once and a destination once.
                return sharing.indices.map { RehearsalPair(source: sharing[$0].name, destination: sharing[($0 + 1) % sharing.count].name, storage: storage) }
            }
        case .allPairs:
            return hypervisors.flatMap { source in hypervisors.filter { $0.name != source.name }.flatMap { common(source, $0) } }
        case .pair(let from, let to):
            guard from != to, let source = hypervisors.first(where: { $0.name == from }), let destination = hypervisors.first(where: { $0.name == to }) else { return [] }
            return common(source, destination)
        }
    }
}
