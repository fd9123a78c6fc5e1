/// What only a host's kernel can tell: iSCSI sessions, multipath maps, mounts.
public struct KernelFacts: Sendable, Codable, Equatable {
    public var sessions: Known<[SessionFacts]>
    public var multipath: Known<[MultipathMapFacts]>
    public var mounts: Known<[MountFacts]>

    public init(
        sessions: Known<[SessionFacts]> = .unknown("not gathered"), multipath: Known<[MultipathMapFacts]> = .unknown("not gathered"),
        mounts: Known<[MountFacts]> = .unknown("not gathered")
    ) {
        self.sessions = sessions
        self.multipath = multipath
        self.mounts = mounts
    }
}

/// One iSCSI session as `iscsiadm -m session -P 3` describes it.
public struct SessionFacts: Sendable, Codable, Equatable {
    /// A SCSI disk the session attached.
    public struct Disk: Sendable, Codable, Equatable {
        public var lun: Int
        public var device: String
        /// The SCSI device's state (`running`, `offline`…).
        public var state: String

        public init(lun: Int, device: String, state: String) {
            self.lun = lun
            self.device = device
            self.state = state
        }
    }

    public var target: String
    /// `ADDR:PORT` (the `,TPGT` dropped).
    public var portal: String
    public var sid: Int
    public var initiatorName: String
    public var localAddress: String
    public var connectionState: ISCSIConnectionState
    public var sessionState: ISCSISessionState
    /// Seconds I/O waits for a dead path before failing (node.session.timeo.replacement_timeout).
    public var recoveryTimeout: Int?
    public var disks: [Disk]

    public init(
        target: String, portal: String, sid: Int = 0, initiatorName: String = "", localAddress: String = "",
        connectionState: ISCSIConnectionState = .other(""), sessionState: ISCSISessionState, recoveryTimeout: Int? = nil, disks: [Disk] = []
    ) {
        self.target = target
        self.portal = portal
        self.sid = sid
        self.initiatorName = initiatorName
        self.localAddress = localAddress
        self.connectionState = connectionState
        self.sessionState = sessionState
        self.recoveryTimeout = recoveryTimeout
        self.disks = disks
    }

    /// What `iscsi status` and `check` (iscsi.session) both call a working session.
    public var isLoggedIn: Bool { sessionState == .loggedIn }
}

/// One map of `multipath -ll`.
public struct MultipathMapFacts: Sendable, Codable, Equatable {
    public struct Path: Sendable, Codable, Equatable {
        /// host:channel:target:lun
        public var hctl: String
        public var device: String
        /// The three words multipath prints: device-mapper's (`active`, `failed`), the path
        /// checker's (`ready`, `faulty`, `ghost`) and the SCSI device's (`running`, `offline`).
        public var state: String

        public init(hctl: String, device: String, state: String) {
            self.hctl = hctl
            self.device = device
            self.state = state
        }

        /// device-mapper's word alone (`active`, `failed`).
        public var dmState: String { String(state.split(separator: " ").first ?? "") }
        public var isActive: Bool { dmState == "active" }
    }

    /// The map's name: its alias, or the WWID when it has none.
    public var alias: String
    public var wwid: String
    public var dm: String
    /// `VENDOR,PRODUCT` as the map's header shows it.
    public var vendorProduct: String
    public var paths: [Path]

    public init(alias: String, wwid: String, dm: String = "", vendorProduct: String = "", paths: [Path]) {
        self.alias = alias
        self.wwid = wwid
        self.dm = dm
        self.vendorProduct = vendorProduct
        self.paths = paths
    }

    public var activePaths: Int { paths.filter(\.isActive).count }
}

/// One file system of `findmnt --json` for a mountPath.
public struct MountFacts: Sendable, Codable, Equatable {
    public var target: String
    public var source: String
    public var fstype: String
    /// The mount options as the kernel shows them (`rw,relatime,vers=3,hard,…`).
    public var options: [String]

    public init(target: String, source: String, fstype: String, options: [String] = []) {
        self.target = target
        self.source = source
        self.fstype = fstype
        self.options = options
    }
}
