import Foundation
import StorageModel
import StorageRender

/// The host's live firewall as storagekit had it before an apply loaded new rules, kept in
/// that apply's backup so that `storagekit rollback` puts the live rules back as well as the
/// files: storagekit's iptables chain and its jump, and its nftables table. firewalld needs
/// nothing here: its rules live in the policy file, which the backup restores, and a reload
/// brings them back.
public struct FirewallSnapshot: Codable, Sendable, Equatable {
    public static let fileName = "firewall-live.json"

    /// storagekit's chain as `iptables -S` prints it (`-A STORAGEKIT …`, restorable as is);
    /// nil when there was no chain, or no iptables.
    public var iptablesChain: [String]?
    public var iptablesJump: Bool
    /// What `nft -f` reads to bring back storagekit's table as it was (none: no table); nil
    /// where nft is not installed.
    public var nftablesRestore: String?

    public init(iptablesChain: [String]?, iptablesJump: Bool, nftablesRestore: String?) {
        self.iptablesChain = iptablesChain
        self.iptablesJump = iptablesJump
        self.nftablesRestore = nftablesRestore
    }

    /// Every file that a firewall apply, on any backend, may write or remove: the backend's own
    /// and those of the backends it takes storagekit's rules out of.
    public static func persistedPaths(_ os: OSFamily) -> [String] {
        ["/etc/iptables/rules.v4", "/etc/sysconfig/iptables", NFTablesFiles.confPath(os), NFTablesFiles.rulesetPath, FirewalldFiles.policyPath]
    }

    public static func take(_ context: HostContext) async throws -> FirewallSnapshot {
        let iptables = FirewallApplier(context: context)
        let chain = try await iptables.liveChain()
        let jump = chain == nil ? false : try await iptables.hasJump()
        var restore: String?
        do throws(SystemError) {
            restore = NFTablesApplier.restoreInput(before: try await NFTablesApplier(context: context).liveListing())
        } catch {
            if !error.isNotInstalled { throw error }
        }
        return FirewallSnapshot(iptablesChain: chain, iptablesJump: jump, nftablesRestore: restore)
    }

    /// What `restore` does, in words, for the rollback's report and its dry run.
    public var steps: [String] {
        var steps: [String] = []
        if let iptablesChain {
            steps.append("load storagekit's iptables chain as it was (\(iptablesChain.count) rules\(iptablesJump ? ", INPUT jumping to it" : ", no jump from INPUT"))")
        } else {
            steps.append("take storagekit's iptables chain out (there was none)")
        }
        if let nftablesRestore {
            let had = nftablesRestore.split(separator: "\n").count > 2
            steps.append(had ? "load nftables table inet \(NFTablesFiles.table) as it was" : "drop nftables table inet \(NFTablesFiles.table) (there was none)")
        }
        steps.append("reload firewalld if it runs (the policy file as it was)")
        return steps
    }

    /// Puts the live rules back, after the files have come back from the backup.
    public func restore(_ context: HostContext) async throws {
        let iptables = FirewallApplier(context: context)
        if let iptablesChain {
            try await iptables.loadChain(iptablesChain, jump: iptablesJump)
        } else {
            try await iptables.removeLiveChain()
        }
        if let nftablesRestore {
            try await context.files.run(Command("nft", ["-f", "-"], timeout: .seconds(30), stdin: nftablesRestore), "loading nftables table inet \(NFTablesFiles.table) as it was")
        }
        if try await FirewalldApplier.isRunning(context.transport) {
            try await FirewalldApplier(context: context).reload("reloading firewalld with the policy file as it was")
        }
    }

    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public static func decoded(_ text: String) throws -> FirewallSnapshot {
        try JSONDecoder().decode(FirewallSnapshot.self, from: Data(text.utf8))
    }
}
