/// Block devices mirrored between two hypervisors with DRBD, so a guest's disk is the same on
/// both (see docs/spec.md, `drbd:`). No SAN: each host keeps a full copy.
public struct DRBDSpec: Sendable, Equatable {
    public var resources: [DRBDResource]
    /// `options drbd disable_sendpage=1` in /etc/modprobe.d/drbd.conf: recommended with Xen
    /// dom0 kernels, whose network stack may not take DRBD's zero-copy pages.
    public var disableSendpage: Bool

    public init(resources: [DRBDResource], disableSendpage: Bool = false) {
        self.resources = resources
        self.disableSendpage = disableSendpage
    }
}

/// One DRBD resource: one device replicated between exactly two hosts.
public struct DRBDResource: Sendable, Equatable {
    public static let defaultPort = 7789
    public static let defaultMetaDisk = "internal"

    public var name: String
    /// `/dev/drbdN`: the device guests use, the same name on both hosts.
    public var device: String
    /// The backing block device on each host.
    public var disk: String
    public var metaDisk: String
    /// The TCP port both hosts listen on for this resource.
    public var port: Int
    /// Exactly two (validation says so); `address` nil means the host's first address.
    public var hosts: [DRBDNode]
    public var `protocol`: DRBDProtocol
    /// Both hosts Primary at once: what live migration of a guest on a raw DRBD device needs.
    public var allowTwoPrimaries: Bool
    /// Digest for `drbdadm verify` (online verification); nil leaves it off.
    public var verifyAlg: String?
    public var afterSb0pri: AfterSplitBrain0Primaries
    public var afterSb1pri: AfterSplitBrain1Primary
    public var afterSb2pri: AfterSplitBrain2Primaries

    public init(
        name: String, device: String, disk: String, metaDisk: String = DRBDResource.defaultMetaDisk, port: Int = DRBDResource.defaultPort,
        hosts: [DRBDNode], protocol: DRBDProtocol = .c, allowTwoPrimaries: Bool = true, verifyAlg: String? = nil,
        afterSb0pri: AfterSplitBrain0Primaries = .discardZeroChanges, afterSb1pri: AfterSplitBrain1Primary = .discardSecondary,
        afterSb2pri: AfterSplitBrain2Primaries = .disconnect
    ) {
        self.name = name
        self.device = device
        self.disk = disk
        self.metaDisk = metaDisk
        self.port = port
        self.hosts = hosts
        self.protocol = `protocol`
        self.allowTwoPrimaries = allowTwoPrimaries
        self.verifyAlg = verifyAlg
        self.afterSb0pri = afterSb0pri
        self.afterSb1pri = afterSb1pri
        self.afterSb2pri = afterSb2pri
    }

    /// N of `/dev/drbdN`, the minor /proc/drbd lists the device under; nil when malformed.
    public var minor: Int? {
        guard device.hasPrefix("/dev/drbd") else { return nil }
        let digits = device.dropFirst("/dev/drbd".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), digits.count == 1 || digits.first != "0" else { return nil }
        return Int(digits)
    }
}

/// One side of a resource: a spec host and the address DRBD replicates over.
public struct DRBDNode: Sendable, Equatable {
    public var name: String
    public var address: String?

    public init(name: String, address: String? = nil) {
        self.name = name
        self.address = address
    }
}

/// DRBD's replication protocols: A asynchronous, B memory-synchronous, C synchronous.
public enum DRBDProtocol: String, Sendable, Codable, CaseIterable {
    case a = "A", b = "B", c = "C"
}

/// What DRBD does after a split brain when neither node is Primary (drbd.conf `after-sb-0pri`).
public enum AfterSplitBrain0Primaries: String, Sendable, Codable, CaseIterable {
    case disconnect
    case discardYoungerPrimary = "discard-younger-primary"
    case discardOlderPrimary = "discard-older-primary"
    case discardZeroChanges = "discard-zero-changes"
    case discardLeastChanges = "discard-least-changes"
    case discardLocal = "discard-local"
    case discardRemote = "discard-remote"
}

/// … when one node is Primary (`after-sb-1pri`).
public enum AfterSplitBrain1Primary: String, Sendable, Codable, CaseIterable {
    case disconnect, consensus
    case violentlyAs0p = "violently-as0p"
    case discardSecondary = "discard-secondary"
    case callPriLostAfterSb = "call-pri-lost-after-sb"
}

/// … when both nodes are Primary (`after-sb-2pri`).
public enum AfterSplitBrain2Primaries: String, Sendable, Codable, CaseIterable {
    case disconnect
    case violentlyAs0p = "violently-as0p"
    case callPriLostAfterSb = "call-pri-lost-after-sb"
}
