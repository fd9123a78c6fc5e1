import StorageCheck
import StorageFacts
import StorageModel
import StorageRender
import StorageSystem

/// A host's firewall as `check` sees it, from three plain commands: nftables' table list,
/// storagekit's iptables chain, and its firewalld policy file. A hypervisor runs them on itself
/// (its facts); a server, which runs no facts session, over its transport.
public struct FirewallObserver: Sendable {
    public typealias Run = @Sendable (Command) async throws(SystemError) -> CommandResult

    let run: Run
    let timeout: Duration

    public init(timeout: Duration, run: @escaping Run) {
        self.run = run
        self.timeout = timeout
    }

    public init(transport: any Transport, timeout: Duration) {
        self.init(timeout: timeout) { command throws(SystemError) in try await transport.run(command) }
    }

    /// The servers `check` looks at: hosts that are not hypervisors and whose ports the spec
    /// opens, for the areas that use them.
    public static func servers(of spec: ClusterSpec, areas: Set<CheckArea>) -> [StorageModel.Host] {
        guard spec.firewall.manage else { return [] }
        let wanted = CheckArea.gathered(for: areas)
        guard !wanted.isDisjoint(with: [.iscsi, .nfs, .drbd]) else { return [] }
        let hypervisors = Set(spec.hypervisors.map(\.name))
        return spec.hosts.filter { !hypervisors.contains($0.name) && !FirewallPolicy.openings(for: $0, in: spec).isEmpty }
    }

    public func observe() async -> Known<FirewallFacts> {
        let limit = timeout
        let outcome = await Deadline.race(limit + .milliseconds(200)) { [self] in await self.look() }
        return outcome ?? .unknown("did not answer within \(limit)")
    }

    private func look() async -> Known<FirewallFacts> {
        async let tables = result(Command("nft", ["list", "tables"], timeout: timeout))
        async let chain = result(Command("iptables", ["-w", "-S", FirewallFiles.chain], timeout: timeout))
        async let policy = result(Command("test", ["-e", FirewalldFiles.policyPath], timeout: timeout))
        let listed: String
        switch await tables {
        case .success(let result) where result.succeeded: listed = result.stdout
        case .success(let result): return .unknown("`nft list tables` failed: \(Self.said(result))")
        case .failure(let error) where error.code == .notInstalled: return .unknown("nft is not installed (nftables)")
        case .failure(let error): return .unknown(error.description)
        }
        // iptables -S exits 1 for a chain that is not there; no iptables, no chain.
        let hasChain: Bool
        switch await chain {
        case .success(let result) where result.succeeded || result.exitCode == 1: hasChain = result.succeeded
        case .success(let result): return .unknown("`iptables -S \(FirewallFiles.chain)` failed: \(Self.said(result))")
        case .failure(let error) where error.code == .notInstalled: hasChain = false
        case .failure(let error): return .unknown(error.description)
        }
        let hasPolicy: Bool
        switch await policy {
        case .success(let result) where result.exitCode == 0 || result.exitCode == 1: hasPolicy = result.succeeded
        case .success(let result): return .unknown("`test -e \(FirewalldFiles.policyPath)` failed: \(Self.said(result))")
        case .failure(let error): return .unknown(error.description)
        }
        return .known(FirewallFacts.observed(tables: listed, chain: hasChain, policyFile: hasPolicy))
    }

    private func result(_ command: Command) async -> Result<CommandResult, SystemError> {
        do { return .success(try await run(command)) } catch { return .failure(error) }
    }

    private static func said(_ result: CommandResult) -> String {
        let line = (result.stderr + result.stdout).split(separator: "\n").first.map(String.init) ?? ""
        return "\(result.exitCode.map { "exit \($0)" } ?? "killed by a signal")\(line.isEmpty ? "" : ": " + line)"
    }
}
