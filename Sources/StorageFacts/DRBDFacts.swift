import StorageModel

/// What one host's kernel says about its DRBD devices: /proc/drbd on DRBD 8.x, `drbdsetup
/// status` on DRBD 9 (whose /proc/drbd lists none).
public struct DRBDFacts: Sendable, Codable, Equatable {
    /// `/proc/drbd` or `drbdsetup status`.
    public var source: String
    /// The module's version from /proc/drbd (`8.4.11`, `9.2.12`…).
    public var version: String?
    public var devices: [DRBDDeviceFacts]

    public init(source: String, version: String? = nil, devices: [DRBDDeviceFacts]) {
        self.source = source
        self.version = version
        self.devices = devices
    }

    /// The kernel's view of `resource`: by name (DRBD 9) or by the minor of its device (8.x),
    /// towards `peer` when the kernel names peers.
    public func device(of resource: DRBDResource, peer: String?) -> DRBDDeviceFacts? {
        let candidates = devices.filter { device in
            if let name = device.resource { return name == resource.name && (device.volume ?? 0) == 0 }
            return device.minor != nil && device.minor == resource.minor
        }
        return candidates.first { $0.peer != nil && $0.peer == peer } ?? candidates.first
    }
}

/// One DRBD device and its peer as the kernel reports them: from /proc/drbd (DRBD 8.x) or
/// `drbdsetup status` (DRBD 9, also what `drbdadm status` prints).
public struct DRBDDeviceFacts: Sendable, Codable, Equatable {
    /// The resource's name; nil from /proc/drbd, which knows only minors.
    public var resource: String?
    /// N of /dev/drbdN; nil from `status` without `--verbose`.
    public var minor: Int?
    public var volume: Int?
    /// `Connected`, or why not: 8.x `StandAlone`, `WFConnection`, `Unconnected`…; 9 `StandAlone`,
    /// `Connecting`, `NetworkFailure`…
    public var connection: DRBDConnectionState
    /// While connected: `Established`, `SyncSource`, `SyncTarget`, `VerifyS`…; nil when not.
    public var replication: DRBDReplicationState?
    public var role: DRBDRole
    /// `Unknown` while not connected.
    public var peerRole: DRBDRole
    public var disk: DRBDDiskState
    /// `DUnknown` while not connected.
    public var peerDisk: DRBDDiskState
    /// The peer's name (DRBD 9: its host name); nil from /proc/drbd.
    public var peer: String?
    /// Resync or verify progress while one runs, in percent.
    public var syncPercent: Double?

    public init(
        resource: String? = nil, minor: Int? = nil, volume: Int? = nil, connection: DRBDConnectionState, replication: DRBDReplicationState? = nil,
        role: DRBDRole, peerRole: DRBDRole = .unknown, disk: DRBDDiskState, peerDisk: DRBDDiskState = .dUnknown, peer: String? = nil,
        syncPercent: Double? = nil
    ) {
        self.resource = resource
        self.minor = minor
        self.volume = volume
        self.connection = connection
        self.replication = replication
        self.role = role
        self.peerRole = peerRole
        self.disk = disk
        self.peerDisk = peerDisk
        self.peer = peer
        self.syncPercent = syncPercent
    }

    public var isConnected: Bool { connection == .connected }
}
