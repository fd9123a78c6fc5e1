/// What a host reported: its plan, what ran, what was verified (`--json` of plan, apply, setup
/// and firewall apply).
public struct HostChangeReport: Encodable, Sendable {
    public struct Action: Encodable, Sendable {
        public let kind: String
        public let summary: String
        public let diff: String?
    }
    public let host: String
    public var actions: [Action]
    public var conflicts: [String]
    public var notes: [String]
    public var done: [String]? = nil
    public var backup: String? = nil
    public var verified: [VerificationLine]? = nil
    public var error: String? = nil
}

public struct ChangeReport: Encodable, Sendable {
    public let dryRun: Bool
    public var changes: Int
    public var hosts: [HostChangeReport]
    public var followUp: FollowUp? = nil
}

/// What a command does across its hosts once every host's files are in place (e.g. bringing
/// DRBD resources up on both nodes); in a dry run, what it would do.
public struct FollowUp: Encodable, Sendable {
    public enum Mark: String, Encodable, Sendable {
        case done = "✓"
        case planned = "→"
        case failed = "✗"
        case note = "·"
    }
    public struct Line: Encodable, Sendable {
        public let mark: Mark
        public let text: String

        public init(_ mark: Mark, _ text: String) {
            self.mark = mark
            self.text = text
        }
    }
    public let title: String
    public var lines: [Line] = []
    public var failed = false

    public init(title: String) { self.title = title }
}

/// One fact a setup command checked after applying.
public struct VerificationLine: Encodable, Sendable {
    public let ok: Bool
    public let text: String

    public init(ok: Bool, text: String) {
        self.ok = ok
        self.text = text
    }
}
