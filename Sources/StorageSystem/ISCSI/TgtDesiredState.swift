import StorageFacts
import StorageModel

/// What tgtd on one host must serve, from the spec.
public struct TgtDesiredTarget: Sendable, Equatable {
    public struct LUN: Sendable, Equatable {
        public var lun: Int
        public var backingStore: String
        public var scsiID: String
        public var serial: String
    }

    public var iqn: String
    public var luns: [LUN]
    public var initiatorAddresses: [String]
    public var initiatorNames: [String]
    public var chapUser: String?
    /// The file the CHAP secret is read from at apply time.
    public var chapSecretFile: String?
    /// Where initiators reach it (the server's addresses, port 3260, unless the spec says).
    public var portals: [Portal] = []

    public static func all(_ spec: ClusterSpec, host: String) -> [TgtDesiredTarget] {
        (spec.iscsi?.targets ?? []).filter { $0.server == host && $0.implementation == .tgt }.map { target in
            let acl = spec.initiatorACL(of: target)
            return TgtDesiredTarget(
                iqn: target.iqn,
                luns: target.luns.map { lun in
                    let identity = spec.identity(of: target, lun)
                    return LUN(lun: lun.lun, backingStore: lun.backingStore, scsiID: identity.scsiID, serial: identity.serial)
                },
                initiatorAddresses: acl.addresses, initiatorNames: acl.names,
                chapUser: target.chap?.username, chapSecretFile: target.chap?.secretFile,
                portals: spec.portals(of: target))
        }
    }
}
