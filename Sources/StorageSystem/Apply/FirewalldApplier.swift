import Foundation
import StorageModel
import StorageRender

/// Puts storagekit's policy into firewalld's permanent configuration (its own file; the zones
/// are the admin's), has firewalld check it, and reloads, so a later `firewall-cmd --reload`
/// keeps it. With a timer, the policy file as it was comes back, and firewalld reloads, unless
/// `firewall confirm` runs first. Once kept, storagekit's iptables chain and nftables table, if
/// an earlier apply left them, are removed.
public struct FirewalldApplier: Sendable {
    public static let savedPolicy = "/var/lib/storagekit/firewall/before-firewalld.xml"
    /// A fixed script (no data in it): the saved file back, or none if there was none, then a
    /// reload.
    static let restoreScript = "if [ -e \"$1\" ]; then cp -- \"$1\" \"$2\"; else rm -f -- \"$2\"; fi; exec firewall-cmd --reload"
    public static let rollbackTimer = ServiceDefinition(
        name: "firewalld-rollback", systemdUnit: "storagekit-firewalld-rollback",
        foreground: ["sh", "-c", restoreScript, "sh", savedPolicy, FirewalldFiles.policyPath])

    let context: HostContext
    var files: HostFiles { context.files }

    public init(context: HostContext) {
        self.context = context
    }

    /// Whether firewalld runs: its own nftables table is there (firewalld's default backend
    /// since 0.6, RHEL 8 and Debian 10 on; it removes the table when it stops). `nft list tables`
    /// takes milliseconds where `firewall-cmd --state` starts Python and D-Bus (0.2 s per plan).
    /// Where nft is not installed, `firewall-cmd --state` (0 running, 252 not); false where
    /// neither is.
    public static func isRunning(_ transport: any Transport) async throws(SystemError) -> Bool {
        do {
            let tables = try await transport.run(Command("nft", ["list", "tables"], timeout: .seconds(15)))
            if tables.succeeded { return hasOwnTable(tables.stdout) }
        } catch {
            guard error.code == .notInstalled else { throw error }
        }
        do {
            return try await transport.run(Command("firewall-cmd", ["--state"], timeout: .seconds(15))).succeeded
        } catch {
            if error.code == .notInstalled { return false }
            throw error
        }
    }

    /// firewalld's release as `firewall-offline-cmd --version` prints it (`1.3.3`); nil when it
    /// cannot be read. Policies, which storagekit's rules are, came with 0.9.
    public static func release(_ transport: any Transport) async throws(SystemError) -> (major: Int, minor: Int)? {
        let printed = try await transport.run(Command("firewall-offline-cmd", ["--version"], timeout: .seconds(30)))
        return parseRelease(printed.stdout)
    }

    static func parseRelease(_ text: String) -> (major: Int, minor: Int)? {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    static func hasPolicies(_ release: (major: Int, minor: Int)) -> Bool {
        release.major > 0 || release.minor >= 9
    }

    /// `nft list tables` output that holds firewalld's table.
    public static func hasOwnTable(_ tables: String) -> Bool {
        tables.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "table inet firewalld" }
    }

    /// True when the file is `policy` and firewalld runs it as its permanent configuration says.
    public func isCurrent(_ policy: String) async throws -> Bool {
        guard try await files.read(FirewalldFiles.policyPath)?.content == policy else { return false }
        let runtime = try await files.run(["firewall-cmd", "--info-policy=\(FirewalldFiles.policy)"], "reading firewalld's runtime policy", allowFailure: true)
        let permanent = try await files.run(["firewall-cmd", "--permanent", "--info-policy=\(FirewalldFiles.policy)"], "reading firewalld's permanent policy", allowFailure: true)
        return runtime.succeeded && permanent.succeeded && runtime.stdout == permanent.stdout
    }

    public func apply(policy: String, confirmWithin: Duration?) async throws {
        guard try await Self.isRunning(context.transport) else {
            throw SystemError.hostCommand(host: context.host.name, what: "applying storagekit's firewalld policy",
                                   reason: "firewalld is not running: start it (`systemctl start firewalld`), or set `firewall.backend` to the firewall this host runs")
        }
        let before = try await files.read(FirewalldFiles.policyPath)
        if let before {
            try await files.replace(Self.savedPolicy, with: before.content, mode: 0o600)
        } else if try await files.exists(Self.savedPolicy) {
            try await files.remove(Self.savedPolicy)
        }
        try await files.makeDirectory(HostFiles.directory(of: FirewalldFiles.policyPath), mode: 0o750)
        try await files.replace(FirewalldFiles.policyPath, with: policy, mode: 0o644)
        let checked = try await checkConfig()
        if !Self.accepted(checked) {
            if let before { try await files.replace(FirewalldFiles.policyPath, with: before.content, mode: before.mode) } else { try await files.remove(FirewalldFiles.policyPath) }
            throw files.failure("checking storagekit's policy with \(checked.command) (the file was put back)", checked)
        }
        if let confirmWithin { try await context.services.startTimer(Self.rollbackTimer, after: confirmWithin) }
        try await reload("reloading firewalld")
        FaultPoint.firewallLoaded.hit()
        if confirmWithin == nil { try await FirewallApplier.removeRules(from: context, except: .firewalld) }
    }

    /// firewalld's own checker, offline (it prints the warnings for rules firewalld would skip;
    /// the daemon's `firewall-cmd --check-config` only logs them), else the daemon's.
    func checkConfig() async throws -> CommandResult {
        do throws(SystemError) {
            return try await context.transport.run(Command("firewall-offline-cmd", ["--check-config"], timeout: .seconds(60)))
        } catch {
            guard error.code == .notInstalled else { throw error }
        }
        return try await files.run(Command("firewall-cmd", ["--check-config"], timeout: .seconds(60)), "checking firewalld's configuration", allowFailure: true)
    }

    /// A configuration firewalld loads whole: an error makes it fall back to its stock
    /// configuration (the admin's zones gone), and a warning means a rule it skips.
    static func accepted(_ result: CommandResult) -> Bool {
        result.succeeded && !(result.stdout + result.stderr).contains("WARNING:") && !(result.stdout + result.stderr).contains("ERROR:")
    }

    public func confirm() async throws -> Bool {
        guard try await context.services.cancelTimer(Self.rollbackTimer) else { return false }
        try await FirewallApplier.removeRules(from: context, except: .firewalld)
        return true
    }

    /// Takes storagekit's policy out of firewalld (the host moved to another backend).
    public func removeIfPresent() async throws {
        guard try await files.exists(FirewalldFiles.policyPath) else { return }
        try await files.remove(FirewalldFiles.policyPath)
        if try await Self.isRunning(context.transport) {
            try await reload("reloading firewalld without storagekit's policy")
        }
    }

    /// firewalld reads its permanent configuration again (the runtime one is rebuilt from it).
    func reload(_ what: String) async throws(SystemError) {
        try await files.run(Command("firewall-cmd", ["--reload"], timeout: .seconds(60)), what)
    }
}
