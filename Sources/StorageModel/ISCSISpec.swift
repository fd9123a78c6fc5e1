public enum ClusterFilesystem: String, Sendable, Codable, CaseIterable { case none, gfs2, ocfs2 }

public struct ISCSISpec: Sendable, Equatable {
    public var targets: [ISCSITarget]
    public var multipath: MultipathSpec
    public var filesystem: ClusterFilesystem

    public init(targets: [ISCSITarget], multipath: MultipathSpec, filesystem: ClusterFilesystem = .none) {
        self.targets = targets
        self.multipath = multipath
        self.filesystem = filesystem
    }

    /// Every LUN of the spec with its target, in spec order.
    public var allLUNs: [(target: ISCSITarget, lun: ISCSILUN)] {
        targets.flatMap { target in target.luns.map { (target, $0) } }
    }
}

public struct MultipathSpec: Sendable, Equatable {
    /// `/dev/mapper/<alias>` on every hypervisor (with several LUNs: `<alias>-<n>` unless a LUN sets its own).
    public var alias: String
    public init(alias: String) { self.alias = alias }
}

/// Which target daemon serves an iSCSI target: tgtd (user space, `tgt`) or the kernel's LIO
/// (`lio`, configured through rtslib-fb's saveconfig.json, what targetcli manages).
public enum ISCSIImplementation: String, Sendable, Codable, CaseIterable {
    case tgt, lio

    /// How messages name the target's server side.
    public var words: String {
        switch self {
        case .tgt: "tgtd"
        case .lio: "LIO"
        }
    }
}

public struct ISCSITarget: Sendable, Equatable {
    public var iqn: String
    /// Name of the host with role iscsi-target.
    public var server: String
    public var implementation: ISCSIImplementation
    /// `ADDR:PORT` (or `ADDR`, port 3260); default: every address of the server.
    public var portals: [String]?
    /// Host names (ACL by their initiator name) or IQNs.
    public var initiators: [String]
    public var chap: CHAPSpec?
    public var luns: [ISCSILUN]

    public init(
        iqn: String, server: String, implementation: ISCSIImplementation = .tgt, portals: [String]? = nil, initiators: [String], chap: CHAPSpec? = nil,
        luns: [ISCSILUN]
    ) {
        self.iqn = iqn
        self.server = server
        self.implementation = implementation
        self.portals = portals
        self.initiators = initiators
        self.chap = chap
        self.luns = luns
    }
}

public struct CHAPSpec: Sendable, Equatable {
    public var username: String
    /// File holding the secret (never the secret itself in the spec).
    public var secretFile: String
    public init(username: String, secretFile: String) {
        self.username = username
        self.secretFile = secretFile
    }
}

public struct ISCSILUN: Sendable, Equatable {
    public var lun: Int
    public var backingStore: String
    /// As written (`6G`); `sizeBytes` once parsed.
    public var size: String?
    public var serial: String?
    public var alias: String?

    public init(lun: Int, backingStore: String, size: String? = nil, serial: String? = nil, alias: String? = nil) {
        self.lun = lun
        self.backingStore = backingStore
        self.size = size
        self.serial = serial
        self.alias = alias
    }

    public var sizeBytes: UInt64? { size.flatMap(ByteSize.parse) }
}
