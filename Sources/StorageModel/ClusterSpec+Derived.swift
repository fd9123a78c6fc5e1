/// Values the spec leaves to defaults, computed one way for every renderer and check.
extension ClusterSpec {
    public var hypervisors: [Host] { hosts.filter { $0.has(.hypervisor) } }

    /// The host's initiator name; default `iqn.2026-11.storagekit.<cluster>:<host>`.
    public func initiatorName(of host: Host) -> String {
        host.initiatorName ?? "iqn.2026-11.storagekit.\(cluster.lowercased()):\(host.name.lowercased())"
    }

    /// A target's portals; default every address of its server on 3260.
    public func portals(of target: ISCSITarget) -> [Portal] {
        if let portals = target.portals { return portals.compactMap(Portal.init) }
        return host(named: target.server)?.addresses.map { Portal(address: $0, port: Portal.defaultPort) } ?? []
    }

    /// Initiator names allowed on a target: host names resolved to their initiator names.
    public func initiatorNames(of target: ISCSITarget) -> [String] {
        initiatorNames(of: target, hostsByName: hostsByName)
    }

    /// The same with the hosts already indexed: a renderer asking for every target of a
    /// 200-host cluster would otherwise scan the host list once per initiator.
    func initiatorNames(of target: ISCSITarget, hostsByName: [String: Host]) -> [String] {
        target.initiators.map { entry in hostsByName[entry].map(initiatorName(of:)) ?? entry }
    }

    /// Hosts by name; the first wins where validation would report a duplicate.
    var hostsByName: [String: Host] { Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }) }

    /// Every LUN's `/dev/mapper` name (as `multipathAlias(of:_:)`), computed in one pass.
    public var multipathAliases: [LUNReference: String] {
        guard let iscsi else { return [:] }
        let all = iscsi.allLUNs
        var aliases: [LUNReference: String] = [:]
        for (index, entry) in all.enumerated() {
            let key = LUNReference(target: entry.target.iqn, lun: entry.lun.lun)
            guard aliases[key] == nil else { continue }
            aliases[key] = entry.lun.alias ?? (all.count == 1 ? iscsi.multipath.alias : "\(iscsi.multipath.alias)-\(index + 1)")
        }
        return aliases
    }

    public func identity(of target: ISCSITarget, _ lun: ISCSILUN) -> LUNIdentity {
        LUNIdentity(cluster: cluster, target: target, lun: lun)
    }

    /// `/dev/mapper/<alias>` name of a LUN: its own alias, else the spec's alias when it has one
    /// LUN, else `<alias>-<n>` with n counting LUNs in spec order from 1.
    public func multipathAlias(of target: ISCSITarget, _ lun: ISCSILUN) -> String {
        guard let iscsi else { return cluster }
        if let alias = lun.alias { return alias }
        let all = iscsi.allLUNs
        if all.count == 1 { return iscsi.multipath.alias }
        let index = all.firstIndex { $0.target.iqn == target.iqn && $0.lun.lun == lun.lun } ?? 0
        return "\(iscsi.multipath.alias)-\(index + 1)"
    }

    /// The address hypervisors mount NFS from.
    public var nfsServerAddress: String? {
        guard let nfs else { return nil }
        return nfs.address ?? host(named: nfs.server)?.addresses.first
    }

    /// Where export `index` is mounted on hypervisors.
    public func mountPath(ofExport index: Int) -> String? {
        guard let nfs, nfs.exports.indices.contains(index) else { return nil }
        return nfs.exports[index].mountPath ?? (index == 0 ? mountPath : nil)
    }
}

/// An iSCSI portal, `ADDR[:PORT]`.
public struct Portal: Sendable, Equatable, Hashable, CustomStringConvertible {
    public static let defaultPort = 3260
    public var address: String
    public var port: Int

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, IPv4Address(String(parts[0])) != nil else { return nil }
        address = String(parts[0])
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = Self.defaultPort
        }
    }

    public var description: String { "\(address):\(port)" }
}

/// A target's ACL as tgtd applies it: an initiator gets in when its address OR its name is listed.
public struct InitiatorACL: Sendable, Equatable {
    /// Addresses of the initiators that are spec hosts.
    public var addresses: [String]
    /// Initiators given as bare IQNs (not spec hosts): only their name can be listed.
    public var names: [String]
}

extension ClusterSpec {
    public func initiatorACL(of target: ISCSITarget) -> InitiatorACL {
        var acl = InitiatorACL(addresses: [], names: [])
        for entry in target.initiators {
            // An IQN that is a spec host's initiator name stands for that host.
            if let host = host(named: entry) ?? hosts.first(where: { initiatorName(of: $0) == entry }) {
                for address in host.addresses where !acl.addresses.contains(address) { acl.addresses.append(address) }
            } else if !acl.names.contains(entry) {
                acl.names.append(entry)
            }
        }
        return acl
    }
}

/// A LUN by its target's IQN and number.
public struct LUNReference: Hashable, Sendable {
    public var target: String
    public var lun: Int
    public init(target: String, lun: Int) {
        self.target = target
        self.lun = lun
    }
}
