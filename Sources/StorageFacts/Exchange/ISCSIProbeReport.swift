/// What `storagekit probe iscsi --json` prints, and what `iscsi login` and `multipath setup`
/// read back from it on a hypervisor: the targets the portal offered and their LUNs.
public struct ISCSIProbeResult: Sendable, Codable {
    public var portal: String
    public var targets: [ProbedTarget]
    /// Milliseconds per step (`connect`, `discovery`, `login <iqn>`, `lun <iqn>/<n>`…).
    public var timingsMs: [String: Double]

    public init(portal: String, targets: [ProbedTarget], timingsMs: [String: Double]) {
        self.portal = portal
        self.targets = targets
        self.timingsMs = timingsMs
    }
}

public struct ProbedTarget: Sendable, Equatable, Codable {
    public var iqn: String
    public var portals: [String]
    public var luns: [LUNFacts]

    public init(iqn: String, portals: [String], luns: [LUNFacts]) {
        self.iqn = iqn
        self.portals = portals
        self.luns = luns
    }
}

/// What `storagekit probe --json` prints when the probe failed.
public struct ProbeFailureReport: Sendable, Codable {
    public var error: ProbeFailure

    public init(error: ProbeFailure) {
        self.error = error
    }
}
