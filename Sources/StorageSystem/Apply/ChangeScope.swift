import StorageModel
import StorageRender

/// What one change command concerns: the parts it renders, the hosts it acts on by default,
/// the hosts it refuses, what it verifies after applying and what it does across hosts after.
public struct ChangeScope: Sendable {
    public var parts: Set<HostRenderer.Part>
    /// Hosts the command concerns when none is named.
    public var defaultHosts: @Sendable (ClusterSpec) -> [String]
    /// Why a named host does not fit this command (nil: it fits).
    public var refuseHost: @Sendable (ClusterSpec, Host) -> String? = { _, _ in nil }
    public var verify: (@Sendable (ClusterSpec, HostContext) async -> [VerificationLine])? = nil
    public var followUp: (any ChangeFollowUp)? = nil

    public init(parts: Set<HostRenderer.Part>, defaultHosts: @escaping @Sendable (ClusterSpec) -> [String]) {
        self.parts = parts
        self.defaultHosts = defaultHosts
    }

    /// `plan` and `apply`: every file of every host.
    public static let everything = ChangeScope(parts: Set(HostRenderer.Part.allCases), defaultHosts: { $0.hosts.map(\.name) })

    /// `firewall apply`: the hosts whose firewall storagekit manages.
    public static let firewall = ChangeScope(parts: [.firewall]) { spec in
        spec.hosts.map(\.name).filter { FirewallFiles.chainRestoreInput(spec, host: $0) != nil }
    }

    /// `setup nfs`: the NFS server, verified from one of its clients.
    public static var nfsServer: ChangeScope {
        var scope = ChangeScope(parts: [.nfsServer, .firewall]) { spec in spec.nfs.map { [$0.server] } ?? [] }
        scope.refuseHost = { spec, host in
            guard let nfs = spec.nfs else { return "the spec has no `nfs:` section" }
            return host.name == nfs.server ? nil : "\(host.name) is not the NFS server (nfs.server is \(nfs.server))"
        }
        scope.verify = { spec, context in
            var asker = context
            if let client = NFSServerVerifier.clientHost(spec), let clientContext = try? HostContext.make(spec, host: client) { asker = clientContext }
            return await NFSServerVerifier(spec: spec, files: asker.files).verify().map { VerificationLine(ok: $0.ok, text: $0.text) }
        }
        return scope
    }

    /// `setup iscsi-target`: the hosts that serve a target.
    public static var iscsiTarget: ChangeScope {
        var scope = ChangeScope(parts: [.iscsiTarget, .firewall]) { spec in spec.hosts.filter { $0.has(.iscsiTarget) }.map(\.name) }
        scope.refuseHost = { spec, host in
            (spec.iscsi?.targets ?? []).contains { $0.server == host.name } ? nil : "\(host.name) serves no iSCSI target in the spec (see iscsi.targets[].server)"
        }
        scope.verify = { spec, context in
            await ISCSITargetVerifier(spec: spec, files: context.files).verify().map { VerificationLine(ok: $0.ok, text: $0.text) }
        }
        return scope
    }

    /// `setup drbd`: the nodes of the DRBD resources, then the resources brought up on both.
    public static func drbd(_ followUp: DRBDFollowUp) -> ChangeScope {
        var scope = ChangeScope(parts: [.drbd, .firewall], defaultHosts: DRBDFollowUp.nodes)
        scope.refuseHost = { spec, host in
            guard spec.drbd != nil else { return "the spec has no `drbd:` section" }
            return spec.drbdResources(of: host.name).isEmpty ? "\(host.name) is a node of no DRBD resource (see drbd.resources[].hosts)" : nil
        }
        scope.followUp = followUp
        return scope
    }
}
