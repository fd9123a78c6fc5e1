import StorageFacts
import Foundation
import StorageModel
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs a host's plan: under the host's lock, files staged, checked by their real tool and
/// renamed (never half-written), every replaced file backed up first, stopping at the first
/// failure with what to do next.
public struct Applier: Sendable {
    public static let backupRoot = "/var/lib/storagekit/backups"
    /// Tests set this to a number of actions after which storagekit kills itself, to prove a
    /// crash between two actions leaves every file old or new and a rerun converges.
    public static let faultPointVariable = "STORAGEKIT_FAULT_AFTER_ACTIONS"

    public let context: HostContext
    public let secrets: [String: String]
    public var force = false
    public var confirmFirewallWithin: Duration?
    /// One name for the backups of a whole run (`20261125T014501.123Z`): to the millisecond,
    /// so that two runs in the same second (a firewall apply, then another) keep two backups.
    public var runID: String

    public init(context: HostContext, secrets: [String: String], runID: String = Applier.newRunID()) {
        self.context = context
        self.secrets = secrets
        self.runID = runID
    }

    public static func newRunID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: Date())
    }

    public var backupDirectory: String { "\(Self.backupRoot)/\(runID)" }
    var files: HostFiles { context.files }

    public struct Outcome: Sendable, Codable {
        public var host: String
        public var done: [String]
        public var backup: String?
        public var notes: [String]
    }

    public func apply(_ plan: HostPlan) async throws(SystemError) -> Outcome {
        if !plan.conflicts.isEmpty && !force { throw .refusedTargetsInUse(host: plan.host, conflicts: plan.conflicts) }
        var outcome = Outcome(host: plan.host, done: [], backup: nil, notes: [])
        // `firewall confirm` must know that this apply had nothing to confirm: said under the
        // host's lock, like every other write.
        let unchangedFirewall = plan.firewallBackend.flatMap { backend in plan.actions.contains { $0.kind == "firewall" } ? nil : backend }
        guard !plan.actions.isEmpty || unchangedFirewall != nil else { return outcome }
        let lock = HostLock(files: files)
        try await lock.acquire()
        if let unchangedFirewall {
            do {
                try await record(FirewallApplyRecord(appliedAt: Date(), backend: unchangedFirewall, changed: false, confirmWithinSeconds: nil))
            } catch {
                try? await lock.release()
                throw .applyStepFailed(host: plan.host, step: 0, of: plan.actions.count, action: "recording that the firewall was already current", reason: "\(error)", completed: [], backup: nil)
            }
        }
        var manifest: [BackupEntry] = []
        for (index, action) in plan.actions.enumerated() {
            do {
                try await execute(action.operation, manifest: &manifest, notes: &outcome.notes)
            } catch {
                try? await lock.release()
                throw .applyStepFailed(
                    host: plan.host, step: index + 1, of: plan.actions.count, action: action.summary, reason: "\(error)",
                    completed: outcome.done, backup: manifest.isEmpty ? nil : backupDirectory, cause: (error as? SystemError)?.code)
            }
            outcome.done.append(action.summary)
            if !manifest.isEmpty { outcome.backup = backupDirectory }
            Self.faultPoint()
        }
        try await lock.release()
        return outcome
    }

    private static let completedActions = Mutex(0)

    private static func faultPoint() {
        guard let limit = ProcessInfo.processInfo.environment[faultPointVariable].flatMap(Int.init) else { return }
        let count = completedActions.withLock { value in
            value += 1
            return value
        }
        if count >= limit {
            FileHandle.standardError.write(Data("storagekit: fault point reached after \(count) action(s) (\(faultPointVariable)); killing myself\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }

    private func execute(_ operation: PlannedAction.Operation, manifest: inout [BackupEntry], notes: inout [String]) async throws {
        switch operation {
        case .writeFile(let path, let content, let mode, let check, let secret):
            let existed = try await files.exists(path)
            let staged = try await files.stage(path, content: content, mode: mode)
            if let check {
                do {
                    try await runCheck(check, on: staged, path: path, secret: secret)
                } catch {
                    try? await files.remove(staged)
                    throw error
                }
            }
            try await backUp(path, existed: existed, manifest: &manifest)
            try await writeManifest(manifest)
            try await files.commit(staged, to: path)
        case .makeDirectory(let path, let mode):
            try await files.makeDirectory(path, mode: mode)
        case .createSparseFile(let path, let size):
            try await files.createSparseFile(path, size: size)
        case .startService(let service):
            try await context.services.start(service)
        case .restartService(let service):
            try await context.services.restart(service)
        case .run(let command):
            try await files.run(command, "`\(command)`")
        case .tgt(let operation):
            try await runTgt(operation)
        case .reconcileTargets(let desired):
            let live = try await waitForTgtd()
            let result = TgtReconciler.reconcile(desired: desired, live: live.targets, accounts: live.accounts, portals: live.portals)
            if !result.conflicts.isEmpty && !force { throw SystemError.refusedTargetsInUse(host: context.host.name, conflicts: result.conflicts) }
            for operation in result.operations { try await runTgt(operation) }
            notes += result.operations.map(\.summary)
        case .lio(let operation):
            try await runLIO(operation)
        case .reconcileLIO(let desired):
            guard let live = try await LIOLiveState.read(files) else {
                throw SystemError.hostCommand(host: context.host.name, what: "loading LIO",
                                              reason: "\(LIOConfigfsParser.root) is still missing after modprobe: is configfs mounted (mount -t configfs configfs /sys/kernel/config)?")
            }
            let result = LIOReconciler.reconcile(desired: desired, live: live, secrets: secrets)
            if !result.conflicts.isEmpty && !force { throw SystemError.refusedTargetsInUse(host: context.host.name, conflicts: result.conflicts) }
            for operation in result.operations { try await runLIO(operation) }
            notes += result.operations.map(\.summary)
        case .firewall(let input, let persistPath):
            try await backUpFirewall(manifest: &manifest)
            try await loadFirewall(.iptables, comingBack: "the previous rules come back", notes: &notes) {
                try await FirewallApplier(context: context).apply(chainInput: input, persistPath: persistPath, confirmWithin: $0)
            }
        case .nftables(let ruleset):
            try await backUpFirewall(manifest: &manifest)
            try await loadFirewall(.nftables, comingBack: "the previous nftables table comes back", notes: &notes) {
                try await NFTablesApplier(context: context).apply(ruleset: ruleset, confirmWithin: $0)
            }
        case .firewalld(let policy):
            try await backUpFirewall(manifest: &manifest)
            try await loadFirewall(.firewalld, comingBack: "firewalld's previous policy comes back", notes: &notes) {
                try await FirewalldApplier(context: context).apply(policy: policy, confirmWithin: $0)
            }
        }
    }

    /// The file as it was (or that there was none) into this run's backup and its MANIFEST.
    private func backUp(_ path: String, existed: Bool, manifest: inout [BackupEntry]) async throws {
        if existed { try await files.copy(path, to: backupDirectory + path) }
        manifest.append(existed ? .replaced(path) : .created(path))
    }

    /// Before new firewall rules load, every file a firewall apply may touch on any backend,
    /// and the live rules (`FirewallSnapshot`), go into the backup: `storagekit rollback` puts
    /// back both.
    private func backUpFirewall(manifest: inout [BackupEntry]) async throws {
        for path in FirewallSnapshot.persistedPaths(context.osFamily) {
            try await backUp(path, existed: try await files.exists(path), manifest: &manifest)
        }
        let snapshot = try await FirewallSnapshot.take(context)
        try await files.replace("\(backupDirectory)/\(FirewallSnapshot.fileName)", with: snapshot.encoded(), mode: 0o600)
        manifest.append(.liveFirewall(FirewallSnapshot.fileName))
        try await writeManifest(manifest)
    }

    /// A backend's rules loaded, recorded first (so `firewall confirm` knows an apply happened
    /// even if this run dies right after loading), with the timer's promise as a note.
    private func loadFirewall(_ backend: FirewallBackend, comingBack: String, notes: inout [String], _ load: (Duration?) async throws -> Void) async throws {
        try await record(FirewallApplyRecord(appliedAt: Date(), backend: backend, changed: true, confirmWithinSeconds: confirmFirewallWithin.map { Int($0.components.seconds) }))
        try await load(confirmFirewallWithin)
        if let confirmFirewallWithin {
            notes.append("firewall: \(comingBack) in \(confirmFirewallWithin.components.seconds) s unless `storagekit firewall confirm` runs")
        }
    }

    private func record(_ record: FirewallApplyRecord) async throws {
        try await files.replace(FirewallApplyRecord.path, with: record.encoded(), mode: 0o600)
    }

    private func runCheck(_ check: FileCheck, on staged: String, path: String, secret: Bool) async throws {
        let result: CommandResult
        let attempt: Result<CommandResult, SystemError>
        do { attempt = .success(try await context.transport.run(check.command(for: staged))) } catch { attempt = .failure(error) }
        switch attempt {
        case .success(let value):
            result = value
        case .failure(let error) where error.code == .notInstalled:
            // The tool is absent on that host: the file goes in unchecked, and we say so.
            FileHandle.standardError.write(Data("warning: \(context.host.name): \(error.command ?? check.argv[0]) not installed; \(path) written without its check\n".utf8))
            return
        case .failure(let error):
            throw error
        }
        let output = result.stdout + result.stderr
        let rejected = !result.succeeded || check.failsWhenOutputContains.map { output.contains($0) } == true
        guard rejected else { return }
        let said = secret ? "(output hidden: the file holds a secret)" : output.split(separator: "\n").prefix(5).joined(separator: "\n    ")
        throw SystemError.hostCommand(host: context.host.name, what: "checking the new \(path) with \(check.argv[0])", reason: "rejected, \(path) left as it was:\n    \(said)")
    }

    private func writeManifest(_ entries: [BackupEntry]) async throws {
        let path = "\(backupDirectory)/MANIFEST"
        let staged = try await files.stage(path, content: entries.map { $0.line + "\n" }.joined(), mode: 0o600)
        try await files.commit(staged, to: path)
    }

    private func runTgt(_ operation: TgtOperation) async throws {
        var secret: String?
        if case .newAccount(_, let file) = operation { secret = try self.secret(file, for: operation.summary) }
        try await files.run(operation.command(secret: secret), operation.summary)
    }

    private func runLIO(_ operation: LIOOperation) async throws {
        for step in operation.steps {
            var secret: String?
            if case .writeSecret(_, let file) = step { secret = try self.secret(file, for: operation.summary) }
            try await files.run(step.command(secret: secret), operation.summary)
        }
    }

    /// The CHAP secret read from `file` on this machine, for the step `what`.
    private func secret(_ file: String, for what: String) throws(SystemError) -> String {
        guard let value = secrets[file] else {
            throw SystemError.hostCommand(host: context.host.name, what: what, reason: "cannot read the CHAP secret from \(file)")
        }
        return value
    }

    /// tgtd answers tgtadm a moment after it starts.
    private func waitForTgtd() async throws -> TgtLiveState {
        var lastError: (any Error)?
        for _ in 0..<50 {
            do { return try await TgtLiveState.read(files) } catch { lastError = error }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw lastError ?? SystemError.hostCommand(host: context.host.name, what: "waiting for tgtd", reason: "no answer")
    }
}

extension SystemError {
    /// `apply` refuses: targets in use would change, and nothing was changed.
    static func refusedTargetsInUse(host: String, conflicts: [TargetConflict]) -> SystemError {
        SystemError(.refused, "\(host): refusing to change targets in use (nothing was changed):\n" + conflicts.map { "  - \($0)" }.joined(separator: "\n"), host: host)
    }

    /// Step `step` of `total` of an apply failed: what was done before it, and where the backup is.
    static func applyStepFailed(host: String, step: Int, of total: Int, action: String, reason: String, completed: [String], backup: String?, cause: SystemError.Code? = nil) -> SystemError {
        var text = "\(host): step \(step) of \(total) failed: \(action)\n  \(reason)\n"
        text += completed.isEmpty ? "  nothing was changed before it.\n" : "  done before it: \(completed.count) step(s); every file is either as it was or fully new.\n"
        if let backup {
            text += "  replaced files are saved in \(backup) on \(host): `storagekit rollback --spec SPEC --host \(host)` puts them back."
        }
        return SystemError(.stepFailed, text, host: host, cause: cause)
    }
}
