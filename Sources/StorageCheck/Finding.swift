import StorageFacts

/// One result of one readiness check, for one or more hosts.
public struct Finding: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, Equatable, Comparable {
        case pass, warn, fail, skip

        var rank: Int { [.fail: 0, .warn: 1, .skip: 2, .pass: 3][self] ?? 3 }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    /// Stable id, documented in docs/checks.md (`nfs.port.registered` in JSON).
    public var check: CheckID
    public var hosts: [String]
    public var status: Status
    public var message: String
    /// The exact command or spec change that fixes a fail or warn; the reason for a skip.
    public var fix: String?

    public init(_ check: CheckID, hosts: [String], _ status: Status, _ message: String, fix: String? = nil) {
        self.check = check
        self.hosts = hosts
        self.status = status
        self.message = message
        self.fix = fix
    }
}

/// The verdict over all findings: READY only when nothing failed and every hypervisor was
/// checked. Warnings and skips are shown but never block; a skip is never counted as a pass; a
/// hypervisor the check ran out of time to ask is neither ready nor failed ("NOT PROVED").
public struct CheckReport: Sendable, Codable, Equatable {
    public var ready: Bool
    public var findings: [Finding]
    public var durationMs: Double
    /// The gathering's phases (see `ClusterFacts.phasesMs`).
    public var phasesMs: [CheckPhase: Double]?
    /// Hypervisors never asked before the check's time ran out.
    public var notChecked: [String]

    public init(findings: [Finding], durationMs: Double, phasesMs: [CheckPhase: Double]? = nil, notChecked: [String] = []) {
        self.findings = findings
        self.ready = !findings.contains { $0.status == .fail } && notChecked.isEmpty
        self.durationMs = durationMs
        self.phasesMs = phasesMs
        self.notChecked = notChecked
    }

    public var problems: Int { findings.filter { $0.status == .fail }.count }
    public var warnings: Int { findings.filter { $0.status == .warn }.count }

    /// `READY` or `NOT READY: 3 problems`, the last line of the table.
    public var verdict: String {
        if problems == 0 && !notChecked.isEmpty {
            return "NOT PROVED: \(notChecked.count) hypervisor\(notChecked.count == 1 ? "" : "s") not checked in time (raise --timeout or --concurrency)"
        }
        if ready { return warnings == 0 ? "READY" : "READY (\(warnings) warning\(warnings == 1 ? "" : "s"))" }
        return "NOT READY: \(problems) problem\(problems == 1 ? "" : "s")"
    }
}
