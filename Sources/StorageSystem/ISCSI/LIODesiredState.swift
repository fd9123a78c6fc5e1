import StorageFacts
import StorageModel

/// What LIO on one host must serve, from the spec: the same values its saveconfig.json holds
/// (`LIOStorageObject`), without the secret, which is read from its file at apply time.
public struct LIODesiredTarget: Sendable, Equatable {
    public struct LUN: Sendable, Equatable {
        public var lun: Int
        public var object: LIOStorageObject
    }

    public var iqn: String
    public var luns: [LUN]
    /// Initiator IQNs, lowercased as LIO keeps them.
    public var initiators: [String]
    public var chapUser: String?
    public var chapSecretFile: String?
    public var portals: [Portal]

    public var attributes: [String: String] { LIOTPGSettings.attributes(chap: chapUser != nil).mapValues(String.init) }
    public var authMethod: String { LIOTPGSettings.authMethod(chap: chapUser != nil) }

    public static func all(_ spec: ClusterSpec, host: String) -> [LIODesiredTarget] {
        (spec.iscsi?.targets ?? []).filter { $0.server == host && $0.implementation == .lio }.map { target in
            LIODesiredTarget(
                iqn: target.iqn.lowercased(),
                luns: target.luns.map { LUN(lun: $0.lun, object: spec.lioStorageObject(of: target, $0)) },
                initiators: spec.initiatorNames(of: target).map { $0.lowercased() },
                chapUser: target.chap?.username, chapSecretFile: target.chap?.secretFile,
                portals: spec.portals(of: target))
        }
    }
}
