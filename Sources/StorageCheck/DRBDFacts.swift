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

/// One device and its peer, in DRBD's words (see `DRBDDeviceStatus` in StorageSystem).
public struct DRBDDeviceFacts: Sendable, Codable, Equatable {
    public var resource: String?
    public var minor: Int?
    public var volume: Int?
    /// `Connected`, or `StandAlone`, `WFConnection`, `Connecting`…
    public var connection: String
    /// While connected: `Established`, `SyncSource`, `SyncTarget`…
    public var replication: String?
    public var role: String
    public var peerRole: String
    public var disk: String
    public var peerDisk: String
    public var peer: String?
    public var syncPercent: Double?

    public init(
        resource: String? = nil, minor: Int? = nil, volume: Int? = nil, connection: String, replication: String? = nil, role: String,
        peerRole: String = "Unknown", disk: String, peerDisk: String = "DUnknown", peer: String? = nil, syncPercent: Double? = nil
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
