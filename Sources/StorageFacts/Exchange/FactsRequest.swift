
/// What `storagekit check` asks of one host, sent as JSON on the standard input of
/// `storagekit facts --request -` there: the spec itself (the host may not have the file), the
/// CHAP secrets it needs (never in argv), and what to do with canaries.
public struct FactsRequest: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable {
        /// Everything the host sees; writes a canary on each export it mounts and leaves it.
        case gather
        /// Only read the named canaries (and then remove the ones in `removeAfterReading`).
        case readCanaries
        /// Only remove the named canaries.
        case removeCanaries
    }

    public var host: String
    /// Empty in a session's later requests: the spec of the request before (a 200-host spec
    /// is sent and parsed once per host, not once per round).
    public var specYAML: String
    /// CHAP secrets by the spec's secretFile path.
    public var secrets: [String: String]
    /// Deadline of each probe, in milliseconds; the whole answer comes within about this.
    public var probeTimeoutMs: Int
    public var mode: Mode
    /// For reads and removals.
    public var canaries: [CanaryRef]
    /// With `readCanaries`: canaries to remove once read, in the same mount (a canary whose
    /// one reader is this host needs no round of its own to be removed).
    public var removeAfterReading: [CanaryRef]?
    /// `gather` writes canaries unless this is false (a person looking, not a check).
    public var writeCanaries: Bool?
    /// Why the host's kernel facts (sessions, maps, mounts, DRBD, guests) are not its own, when
    /// they are not: it shares the kernel of the machine that runs it. nil: the host knows.
    public var kernelNotOwn: String?
    /// The hypervisors whose migration ports to probe (`PeerPlan`); nil: every other one.
    public var migrationPeers: [String]?
    /// Of `migrationPeers`, those whose whole qemu migration range to sweep; the others get its
    /// first and last port. nil: all of them.
    public var migrationSweeps: [String]?
    /// What to gather (`check --only`); nil: everything.
    public var areas: [CheckArea]?

    public init(host: String, specYAML: String, secrets: [String: String] = [:], probeTimeoutMs: Int = 3000, mode: Mode = .gather, canaries: [CanaryRef] = []) {
        self.host = host
        self.specYAML = specYAML
        self.secrets = secrets
        self.probeTimeoutMs = probeTimeoutMs
        self.mode = mode
        self.canaries = canaries
    }
}

public struct CanaryRef: Sendable, Codable, Equatable, Hashable {
    public var export: String
    public var path: String

    public init(export: String, path: String) {
        self.export = export
        self.path = path
    }
}

/// The answer to a read or remove request: one entry per canary read or removed.
public struct CanaryAnswer: Sendable, Codable, Equatable {
    public var export: String
    public var path: String
    public var content: String?
    public var error: String?
    /// This entry is a removal (nil or false: a read).
    public var removal: Bool?

    public init(export: String, path: String, content: String? = nil, error: String? = nil, removal: Bool? = nil) {
        self.export = export
        self.path = path
        self.content = content
        self.error = error
        self.removal = removal
    }
}
