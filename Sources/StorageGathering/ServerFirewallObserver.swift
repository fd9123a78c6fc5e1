import StorageCheck
import StorageFacts
import StorageModel
import StorageRender
import StorageSystem

/// A server's firewall as `check` sees it: servers run no facts session, so three plain commands
/// over the server's transport (what the hypervisors' facts read on their own host): nftables'
/// table list, storagekit's iptables chain, and its firewalld policy file.
public struct ServerFirewallObserver: Sendable {
    let transport: any Transport
    let timeout: Duration

    public init(transport: any Transport, timeout: Duration) {
        self.transport = transport
        self.timeout = timeout
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
        async let tables = run(Command("nft", ["list", "tables"], timeout: timeout))
        async let chain = run(Command("iptables", ["-w", "-S", FirewallFiles.chain], timeout: timeout))
        async let policy = run(Command("test", ["-e", FirewalldFiles.policyPath], timeout: timeout))
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

    private func run(_ command: Command) async -> Result<CommandResult, SystemError> {
        do { return .success(try await transport.run(command)) } catch { return .failure(error) }
    }

    private static func said(_ result: CommandResult) -> String {
        let line = (result.stderr + result.stdout).split(separator: "\n").first.map(String.init) ?? ""
        return "\(result.exitCode.map { "exit \($0)" } ?? "killed by a signal")\(line.isEmpty ? "" : ": " + line)"
    }
}
