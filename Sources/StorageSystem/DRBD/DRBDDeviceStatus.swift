/// One DRBD device and its peer as the kernel reports them: from /proc/drbd (DRBD 8.x) or
/// `drbdsetup status` (DRBD 9, also what `drbdadm status` prints). Words are DRBD's own.
public struct DRBDDeviceStatus: Sendable, Equatable {
    /// The resource's name; nil from /proc/drbd, which knows only minors.
    public var resource: String?
    /// N of /dev/drbdN; nil from `status` without `--verbose`.
    public var minor: Int?
    public var volume: Int?
    /// `Connected`, or why not: 8.x `StandAlone`, `WFConnection`, `Unconnected`…; 9 `StandAlone`,
    /// `Connecting`, `NetworkFailure`…
    public var connection: String
    /// While connected: `Established`, `SyncSource`, `SyncTarget`, `VerifyS`, `PausedSyncT`…; nil when not.
    public var replication: String?
    /// This node's role: `Primary`, `Secondary`.
    public var role: String
    /// The peer's role; `Unknown` while not connected.
    public var peerRole: String
    /// `UpToDate`, `Inconsistent`, `Outdated`, `Diskless`…
    public var disk: String
    /// The peer's disk; `DUnknown` while not connected.
    public var peerDisk: String
    /// The peer's name (DRBD 9: its host name); nil from /proc/drbd.
    public var peer: String?
    /// Resync or verify progress while one runs, in percent.
    public var syncPercent: Double?

    public init(
        resource: String? = nil, minor: Int? = nil, volume: Int? = nil, connection: String, replication: String? = nil,
        role: String, peerRole: String = "Unknown", disk: String, peerDisk: String = "DUnknown", peer: String? = nil, syncPercent: Double? = nil
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

    public var isConnected: Bool { connection == "Connected" }
}

/// A line of DRBD's status output this parser cannot read.
public struct DRBDParseError: Error, Equatable, CustomStringConvertible {
    /// `/proc/drbd` or `drbdsetup status`.
    public var source: String
    public var line: Int
    public var text: String
    public var reason: String

    public var description: String { "cannot read line \(line) of \(source) (\(reason)): \"\(text)\"" }
}
