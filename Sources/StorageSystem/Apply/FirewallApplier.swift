import Foundation
import StorageModel
import StorageRender

/// Loads storagekit's chain with `iptables-restore --noflush` (other rules untouched), after
/// saving the current rules and testing the input; then either persists the result or arms a
/// timer that puts the saved rules back unless `firewall confirm` runs first.
public struct FirewallApplier: Sendable {
    public static let savedRules = "/var/lib/storagekit/firewall/before.rules"
    public static let pendingPersistPath = "/var/lib/storagekit/firewall/persist-path"
    public static let rollbackTimer = ServiceDefinition(
        name: "firewall-rollback", systemdUnit: "storagekit-firewall-rollback", foreground: ["iptables-restore", savedRules])

    let context: HostContext
    var files: HostFiles { context.files }

    public init(context: HostContext) {
        self.context = context
    }

    public func apply(chainInput: String, persistPath: String, confirmWithin: Duration?) async throws {
        let saved = try await files.run(["iptables-save"], "saving the current firewall rules")
        try await files.replace(Self.savedRules, with: Self.restorable(saved: saved.stdout), mode: 0o600)
        let test = Command("iptables-restore", ["--test", "--noflush"], timeout: .seconds(30), stdin: chainInput)
        try await files.run(test, "testing storagekit's rules with iptables-restore --test")
        // The way back is armed before the new rules go live: killed right after loading them,
        // storagekit still leaves a timer that restores the saved rules (no lock-out).
        if let confirmWithin {
            try await files.replace(Self.pendingPersistPath, with: persistPath + "\n", mode: 0o600)
            try await context.services.startTimer(Self.rollbackTimer, after: confirmWithin)
        }
        // If loading fails halfway, the armed timer restores the saved rules all the same.
        try await files.run(Command("iptables-restore", ["--noflush"], timeout: .seconds(30), stdin: chainInput), "loading storagekit's chain")
        if try await !hasJump() { try await addJump() }
        FaultPoint.firewallLoaded.hit()
        if confirmWithin == nil {
            try await persist(to: persistPath)
            try await Self.removeRules(from: context, except: .iptables)
        }
    }

    /// storagekit's rules out of every backend but `kept`, once the rules there are kept: the
    /// host moved from one backend to another, and rules never live in two places.
    static func removeRules(from context: HostContext, except kept: FirewallBackend) async throws {
        if kept != .iptables { try await FirewallApplier(context: context).removeChain() }
        if kept != .nftables { try await NFTablesApplier(context: context).removeIfPresent() }
        if kept != .firewalld { try await FirewalldApplier(context: context).removeIfPresent() }
    }

    /// Whether iptables has storagekit's chain (false where iptables is not installed).
    func hasChain() async throws -> Bool {
        try await liveChain() != nil
    }

    /// Takes storagekit's chain out of iptables, live and in the saved rules (the host moved to
    /// another backend). Nothing to do when there is none.
    func removeChain() async throws {
        guard try await removeLiveChain() else { return }
        for path in ["/etc/iptables/rules.v4", "/etc/sysconfig/iptables"] {
            if let saved = try await files.read(path)?.content, saved.contains(":\(FirewallFiles.chain) ") { try await persist(to: path) }
        }
    }

    /// Takes storagekit's chain and the jumps to it out of the live rules; false when there was
    /// none.
    @discardableResult
    func removeLiveChain() async throws -> Bool {
        guard try await hasChain() else { return false }
        try await removeJumps()
        try await files.run(["iptables", "-F", FirewallFiles.chain], "emptying the \(FirewallFiles.chain) chain")
        try await files.run(["iptables", "-X", FirewallFiles.chain], "removing the \(FirewallFiles.chain) chain")
        return true
    }

    /// storagekit's live rules as `iptables -S` prints them (quoted, so restorable as is); nil
    /// when there is no chain, or no iptables.
    func liveChain() async throws(SystemError) -> [String]? {
        let listed: CommandResult
        do {
            listed = try await files.run(["iptables", "-S", FirewallFiles.chain], "reading the \(FirewallFiles.chain) chain", allowFailure: true)
        } catch {
            if error.isNotInstalled { return nil }
            throw error
        }
        guard listed.succeeded else { return nil }
        return listed.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A \(FirewallFiles.chain) ") }
    }

    func hasJump() async throws(SystemError) -> Bool {
        try await files.run(["iptables", "-C"] + FirewallState.jump, "looking for the jump to \(FirewallFiles.chain)", allowFailure: true).succeeded
    }

    func addJump() async throws(SystemError) {
        try await files.run(["iptables", "-I", "INPUT", "1", "-j", FirewallFiles.chain], "sending INPUT through \(FirewallFiles.chain)")
    }

    /// Every jump to storagekit's chain out of INPUT (a hand-made second one too).
    func removeJumps() async throws(SystemError) {
        while try await files.run(["iptables", "-D"] + FirewallState.jump, "removing the jump to \(FirewallFiles.chain)", allowFailure: true).succeeded {}
    }

    /// storagekit's chain loaded with exactly `rules` (other chains untouched), and INPUT
    /// jumping to it or not.
    func loadChain(_ rules: [String], jump: Bool) async throws {
        let input = "*filter\n:\(FirewallFiles.chain) - [0:0]\n" + rules.map { $0 + "\n" }.joined() + "COMMIT\n"
        try await files.run(Command("iptables-restore", ["--noflush"], timeout: .seconds(30), stdin: input), "loading storagekit's chain as it was")
        let present = try await hasJump()
        if jump && !present {
            try await addJump()
        } else if !jump && present {
            try await removeJumps()
        }
    }

    /// What `iptables-restore` must read to bring back the rules `iptables-save` printed. With no
    /// filter table at all (a host without rules prints nothing), restoring the empty output
    /// would change nothing and leave storagekit's rules in place: an explicit empty filter
    /// table with ACCEPT policies is what "no rules" means to iptables-restore.
    public static func restorable(saved: String) -> String {
        if saved.split(separator: "\n").contains("*filter") { return saved }
        return saved + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
    }

    /// Whether a rollback timer (iptables, nftables or firewalld) is waiting for `confirm`.
    public func pending() async throws -> Bool {
        for timer in [Self.rollbackTimer, NFTablesApplier.rollbackTimer, FirewalldApplier.rollbackTimer] where try await context.services.timerPending(timer) {
            return true
        }
        return false
    }

    /// Keeps what the last apply loaded, whichever backend: nil when it did, else why nothing
    /// was pending, from the host's record of that apply.
    public func confirmAny() async throws -> FirewallApplyRecord.NothingPending? {
        var confirmed = try await confirm()
        if !confirmed { confirmed = try await NFTablesApplier(context: context).confirm() }
        if !confirmed { confirmed = try await FirewalldApplier(context: context).confirm() }
        let record: Result<FirewallApplyRecord, any Error>? = try await files.read(FirewallApplyRecord.path).map { state in
            Result { try FirewallApplyRecord.decoded(state.content) }
        }
        if confirmed {
            if case .success(var kept)? = record {
                kept.confirmedAt = Date()
                try await files.replace(FirewallApplyRecord.path, with: kept.encoded(), mode: 0o600)
            }
            return nil
        }
        switch record {
        case .success(let record)?: return record.nothingPending
        case .failure(let error)?: return .unreadableRecord("\(error)")
        case nil: return .noRecord
        }
    }

    /// Keeps the new rules: cancels the rollback timer and persists them. False when no timer
    /// was pending (it fired, or nothing was applied with --confirm-within).
    public func confirm() async throws -> Bool {
        let pending = try await context.services.cancelTimer(Self.rollbackTimer)
        guard pending else { return false }
        let persistPath = try await files.read(Self.pendingPersistPath)?.content.trimmingCharacters(in: .whitespacesAndNewlines)
        try await persist(to: persistPath ?? (context.osFamily == .rhel ? "/etc/sysconfig/iptables" : "/etc/iptables/rules.v4"))
        try await files.remove(Self.pendingPersistPath)
        try await Self.removeRules(from: context, except: .iptables)
        return true
    }

    /// The whole live rule set, as `iptables-save` prints it (what netfilter-persistent does),
    /// so rules of other tools survive a reboot too.
    func persist(to path: String) async throws {
        let rules = try await files.run(["iptables-save"], "reading the live firewall rules")
        let kept = rules.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("# Generated by") && !$0.hasPrefix("# Completed on") }.joined(separator: "\n")
        if try await files.read(path)?.content == kept { return }
        try await files.replace(path, with: kept, mode: 0o600)
    }

}
