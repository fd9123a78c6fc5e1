public struct PortalFacts: Sendable, Codable, Equatable {
    public var target: String
    public var portal: String
    public var tcp: Reach
    /// What SendTargets listed to this initiator; nil when discovery did not run.
    public var discovered: [String]?
    /// Login or a later step failed.
    public var error: ProbeFailure?
    public var luns: [LUNFacts]

    public init(target: String, portal: String, tcp: Reach, discovered: [String]? = nil, error: ProbeFailure? = nil, luns: [LUNFacts] = []) {
        self.target = target
        self.portal = portal
        self.tcp = tcp
        self.discovered = discovered
        self.error = error
        self.luns = luns
    }

    /// Logged in and listed the LUNs.
    public var loggedIn: Bool { tcp == .open && error == nil }
}

/// One LUN as a login from this host saw it (INQUIRY, VPD 0x80 and 0x83, READ CAPACITY(16)).
public struct LUNFacts: Sendable, Codable, Equatable {
    public var lun: Int
    public var serial: String
    public var wwid: String?
    public var sizeBytes: UInt64
    /// READ CAPACITY(16)'s logical block length.
    public var blockSize: Int
    public var vendor: String
    public var product: String
    public var ready: Bool

    public init(lun: Int, serial: String, wwid: String?, sizeBytes: UInt64, blockSize: Int = 512, vendor: String = "IET", product: String = "VIRTUAL-DISK", ready: Bool = true) {
        self.lun = lun
        self.serial = serial
        self.wwid = wwid
        self.sizeBytes = sizeBytes
        self.blockSize = blockSize
        self.vendor = vendor
        self.product = product
        self.ready = ready
    }
}
