import StorageModel
import StorageRender

/// Loads storagekit's `table inet storagekit` with `nft -f` (one transaction; other tables
/// untouched) after saving the table it replaces and testing the input with `nft -c`; then
/// either persists it (its file, and the include in nftables.conf) or arms a timer that puts
/// the saved table back unless `firewall confirm` runs first. Once kept, storagekit's iptables
/// chain, if an earlier apply left one, is removed: rules never live in two places.
public struct NFTablesApplier: Sendable {
    public static let savedTable = "/var/lib/storagekit/firewall/before.nft"
    public static let pendingRuleset = "/var/lib/storagekit/firewall/pending.nft"
    public static let rollbackTimer = ServiceDefinition(
        name: "nftables-rollback", systemdUnit: "storagekit-nftables-rollback", foreground: ["nft", "-f", savedTable])

    let context: HostContext
    var files: HostFiles { context.files }

    public init(context: HostContext) {
        self.context = context
    }

    var confPath: String { NFTablesFiles.confPath(context.osFamily) }

    /// The live table as nft lists it; nil when there is none.
    public func liveListing() async throws(SystemError) -> String? {
        let listed = try await files.run(["nft", "list", "table", "inet", NFTablesFiles.table], "reading nftables table inet \(NFTablesFiles.table)", allowFailure: true)
        if listed.succeeded { return listed.stdout }
        if listed.stderr.contains("No such file or directory") { return nil }
        throw files.failure("reading nftables table inet \(NFTablesFiles.table)", listed)
    }

    /// True when the live table, its file and the include in nftables.conf are what `ruleset` says.
    public func isCurrent(_ ruleset: String) async throws(SystemError) -> Bool {
        guard let live = try await liveListing(), NFTablesFiles.rules(of: live) == NFTablesFiles.rules(of: NFTablesFiles.listing(of: ruleset)) else { return false }
        guard try await files.read(NFTablesFiles.rulesetPath)?.content == ruleset else { return false }
        return try await files.read(confPath)?.content.contains(NFTablesFiles.includeLine) == true
    }

    public func apply(ruleset: String, confirmWithin: Duration?) async throws {
        try await files.replace(Self.savedTable, with: Self.restoreInput(before: try await liveListing()), mode: 0o600)
        try await files.run(Command("nft", ["-c", "-f", "-"], timeout: .seconds(30), stdin: ruleset), "testing storagekit's table with nft -c")
        if let confirmWithin {
            try await files.replace(Self.pendingRuleset, with: ruleset, mode: 0o600)
            try await context.services.startTimer(Self.rollbackTimer, after: confirmWithin)
        }
        try await files.run(Command("nft", ["-f", "-"], timeout: .seconds(30), stdin: ruleset), "loading storagekit's nftables table")
        FaultPoint.firewallLoaded.hit()
        if confirmWithin == nil { try await persist(ruleset) }
    }

    /// What brings back the table as it was: the first two lines drop the new one (declaring
    /// it first, so the delete never fails), and the old listing (none: no table) follows.
    static func restoreInput(before: String?) -> String {
        "table inet \(NFTablesFiles.table)\ndelete table inet \(NFTablesFiles.table)\n" + (before ?? "")
    }

    public func pending() async throws -> Bool {
        try await context.services.timerPending(Self.rollbackTimer)
    }

    /// Keeps the loaded table: cancels the timer and persists it. False when no timer was pending.
    public func confirm() async throws -> Bool {
        guard try await context.services.cancelTimer(Self.rollbackTimer) else { return false }
        guard let ruleset = try await files.read(Self.pendingRuleset)?.content else {
            throw SystemError.hostCommand(host: context.host.name, what: "confirming the nftables table", reason: "\(Self.pendingRuleset) is gone: run `storagekit firewall apply` again")
        }
        try await persist(ruleset)
        try await files.remove(Self.pendingRuleset)
        return true
    }

    /// The table's file, the include that loads it at boot, and no storagekit chain in iptables.
    func persist(_ ruleset: String) async throws {
        if try await files.read(NFTablesFiles.rulesetPath)?.content != ruleset {
            try await files.makeDirectory(HostFiles.directory(of: NFTablesFiles.rulesetPath), mode: 0o755)
            try await files.replace(NFTablesFiles.rulesetPath, with: ruleset, mode: 0o600)
        }
        let conf = try await files.read(confPath)
        let merged = ManagedBlock.merge(existing: conf?.content, block: NFTablesFiles.includeBlock, begin: NFTablesFiles.includeBegin, end: NFTablesFiles.includeEnd)
        if conf?.content != merged { try await files.replace(confPath, with: merged, mode: conf?.mode ?? 0o755) }
        try await FirewallApplier.removeRules(from: context, except: .nftables)
    }

    /// Drops storagekit's table and its include (the host moved to another backend); nothing
    /// to do where nft is not installed (no table of ours can exist) or there is none.
    public func removeIfPresent() async throws {
        let listed: CommandResult
        do throws(SystemError) {
            listed = try await context.transport.run(Command("nft", ["list", "table", "inet", NFTablesFiles.table], timeout: .seconds(30)))
        } catch {
            if error.code == .notInstalled { return }
            throw error
        }
        if listed.succeeded {
            try await files.run(["nft", "delete", "table", "inet", NFTablesFiles.table], "removing nftables table inet \(NFTablesFiles.table)")
        }
        if let conf = try await files.read(confPath), conf.content.contains(NFTablesFiles.includeBegin) {
            try await files.replace(confPath, with: ManagedBlock.remove(from: conf.content, begin: NFTablesFiles.includeBegin, end: NFTablesFiles.includeEnd), mode: conf.mode)
        }
        if try await files.exists(NFTablesFiles.rulesetPath) { try await files.remove(NFTablesFiles.rulesetPath) }
    }

}
