/// Everything `storagekit check` gathered: each host's facts (or why it gave none), and the
/// canaries each hypervisor read back from the NFS exports.
public struct ClusterFacts: Sendable, Codable, Equatable {
    public var hosts: [String: HostOutcome]
    public var canaryReads: [CanaryRead]
    /// Where the gathering spent its time, in ms.
    public var phasesMs: [CheckPhase: Double]?
    /// The firewall of each server (a host that is not a hypervisor, whose ports the spec opens),
    /// looked at over its transport with three plain commands: servers run no facts session.
    public var serverFirewalls: [String: Known<FirewallFacts>]
    /// The build id of the storagekit that gathered them (the checker's own).
    public var build: String?

    public init(hosts: [String: HostOutcome], canaryReads: [CanaryRead] = [], phasesMs: [CheckPhase: Double]? = nil, serverFirewalls: [String: Known<FirewallFacts>] = [:]) {
        self.hosts = hosts
        self.canaryReads = canaryReads
        self.phasesMs = phasesMs
        self.serverFirewalls = serverFirewalls
    }

    public func facts(_ host: String) -> HostFacts? { hosts[host]?.facts }

    /// Hosts the check ran out of time to ask, sorted.
    public var notChecked: [String] {
        hosts.filter { if case .notChecked = $0.value { return true } else { return false } }.keys.sorted()
    }
}

public enum HostOutcome: Sendable, Codable, Equatable {
    case answered(HostFacts)
    /// No facts: the host did not answer in time, could not be reached, or its storagekit failed.
    case silent(reason: String)
    /// No facts because of the storagekit there: none, or one too old or too new to answer this
    /// one (`storagekit deploy` is the fix).
    case needsDeploy(reason: String)
    /// Never asked: the check's own time ran out first (nothing is known against the host).
    case notChecked(reason: String)

    public var facts: HostFacts? {
        if case .answered(let facts) = self { return facts }
        return nil
    }
}

/// One hypervisor reading the canary another one wrote.
public struct CanaryRead: Sendable, Codable, Equatable {
    public var reader: String
    public var writer: String
    public var export: String
    public var path: String
    /// What was read; nil with `error` when it could not be.
    public var content: String?
    public var error: String?

    public init(reader: String, writer: String, export: String, path: String, content: String?, error: String? = nil) {
        self.reader = reader
        self.writer = writer
        self.export = export
        self.path = path
        self.content = content
        self.error = error
    }
}
