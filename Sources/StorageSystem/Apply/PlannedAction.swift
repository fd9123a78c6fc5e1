import StorageModel

/// One step of a plan on one host. Plans are values: `plan` prints them, `apply` runs them.
public struct PlannedAction: Sendable {
    public enum Operation: Sendable {
        /// Staged beside the target, checked by `check` when the real tool exists, renamed over it.
        case writeFile(path: String, content: String, mode: UInt16, check: FileCheck?, secret: Bool)
        case makeDirectory(path: String, mode: UInt16)
        case createSparseFile(path: String, size: UInt64)
        case startService(ServiceDefinition)
        case restartService(ServiceDefinition)
        case run(Command)
        case tgt(TgtOperation)
        /// tgtd was not running when planned: its changes are computed once it runs.
        case reconcileTargets([TgtDesiredTarget])
        case lio(LIOOperation)
        /// LIO was not loaded when planned: its changes are computed once it is.
        case reconcileLIO([LIODesiredTarget])
        case firewall(chainInput: String, persistPath: String)
        /// storagekit's nftables table (`NFTablesFiles.ruleset`).
        case nftables(ruleset: String)
        /// storagekit's firewalld policy (`FirewalldFiles.policyXML`).
        case firewalld(policy: String)
    }

    public var summary: String
    /// A unified diff for file writes (nil for secret-bearing files).
    public var diff: String?
    public var operation: Operation

    public init(_ summary: String, diff: String? = nil, _ operation: Operation) {
        self.summary = summary
        self.diff = diff
        self.operation = operation
    }

    public var kind: String {
        switch operation {
        case .writeFile: "write-file"
        case .makeDirectory: "make-directory"
        case .createSparseFile: "create-backing-file"
        case .startService: "start-service"
        case .restartService: "restart-service"
        case .run: "command"
        case .tgt, .reconcileTargets: "tgtadm"
        case .lio, .reconcileLIO: "configfs"
        case .firewall, .nftables, .firewalld: "firewall"
        }
    }
}

/// The actions for one host, and what stops them.
public struct HostPlan: Sendable {
    public var host: String
    public var actions: [PlannedAction]
    /// Changes that would disturb logged-in initiators: apply refuses them without --force.
    public var conflicts: [TargetConflict]
    /// The firewall backend the plan looked at (nil: the firewall was not part of it).
    public var firewallBackend: FirewallBackend?
    public var notes: [String]

    public init(host: String, actions: [PlannedAction] = [], conflicts: [TargetConflict] = [], notes: [String] = []) {
        self.host = host
        self.actions = actions
        self.conflicts = conflicts
        self.notes = notes
    }
}

/// The real tool that must accept a candidate file before it replaces the live one.
public struct FileCheck: Sendable, Equatable {
    /// argv with `{}` standing for the candidate's path.
    public var argv: [String]
    /// Some tools exit 0 on errors and only complain (nfsconf: "config error").
    public var failsWhenOutputContains: String?

    public func command(for path: String) -> Command {
        let words = argv.map { $0 == "{}" ? path : $0 }
        return Command(words[0], Array(words.dropFirst()), timeout: .seconds(30))
    }

    /// The check for a managed file, when a tool can judge the file on its own.
    public static func forFile(_ path: String) -> FileCheck? {
        switch path {
        case "/etc/nfs.conf": FileCheck(argv: ["nfsconf", "--file", "{}", "--dump"], failsWhenOutputContains: "config error")
        case "/etc/iptables/rules.v4", "/etc/sysconfig/iptables": FileCheck(argv: ["iptables-restore", "--test", "{}"])
        case _ where path.hasPrefix("/etc/tgt/conf.d/"): FileCheck(argv: ["tgt-admin", "-c", "{}", "-e", "-p"])
        default: nil
        }
    }
}
