import StorageFacts
import StorageModel

/// One open-iscsi node record a hypervisor needs: a target through one portal, with the
/// settings storagekit manages on it.
public struct ISCSINode: Sendable, Equatable {
    public var target: String
    /// `ADDR:PORT` as iscsiadm's `-p` takes it.
    public var portal: String
    /// `node.*` settings; CHAP's password is not here (it comes from `chapSecretFile`).
    public var settings: [(name: String, value: String)]
    public var chapSecretFile: String?

    public static func == (lhs: ISCSINode, rhs: ISCSINode) -> Bool {
        lhs.target == rhs.target && lhs.portal == rhs.portal && lhs.chapSecretFile == rhs.chapSecretFile
            && lhs.settings.map { "\($0.name)=\($0.value)" } == rhs.settings.map { "\($0.name)=\($0.value)" }
    }

    /// Logged in at boot; I/O queued for 15 s when a path dies, then failed over by multipath
    /// (open-iscsi's default of 120 s would freeze the guests on a portal failure).
    public static let replacementTimeout = 15

    /// Every target the host may log in to, through every portal of it.
    public static func all(_ spec: ClusterSpec, host: Host) -> [ISCSINode] {
        (spec.iscsi?.targets ?? []).filter { target in
            target.initiators.contains(host.name) || target.initiators.contains(spec.initiatorName(of: host))
        }.flatMap { target in
            spec.portals(of: target).map { portal in
                var settings = [("node.startup", "automatic"), ("node.session.timeo.replacement_timeout", String(replacementTimeout))]
                if let chap = target.chap {
                    settings += [("node.session.auth.authmethod", "CHAP"), ("node.session.auth.username", chap.username)]
                }
                return ISCSINode(target: target.iqn, portal: "\(portal.address):\(portal.port)", settings: settings, chapSecretFile: target.chap?.secretFile)
            }
        }
    }
}
