import StorageModel
import StorageSystem
import StorageTestSupport
import Testing
@testable import StorageCheck
import StorageFacts
@testable import StorageGathering

/// A server's firewall, seen by `check` over its transport (servers run no facts session), and
/// judged by `host.firewall` like a hypervisor's.
@Suite struct ServerFirewallTests {
    static let noChain = (Int32(1), "", "iptables: No chain/target/match by that name.\n")

    /// The server answers each program by name, as the real tools do; a program left out is
    /// not installed.
    func observe(_ answers: [String: (Int32, String, String)]) async -> Known<FirewallFacts> {
        let server = ScriptedTransport(host: "nfs") { command throws(SystemError) in
            guard let (code, stdout, stderr) = answers[command.executable] else { throw .notInstalled(command.executable) }
            return CommandResult(command: command, exitCode: code, stdout: stdout, stderr: stderr)
        }
        return await FirewallObserver(transport: server, timeout: .seconds(5)).observe()
    }

    @Test func firewalldRunningWithTheChainInIptables() async {
        let seen = await observe([
            "nft": (0, "table ip filter\ntable inet firewalld\n", ""),
            "iptables": (0, "-N STORAGEKIT\n-A STORAGEKIT -p tcp -m tcp --dport 2049 -j ACCEPT\n", ""),
            "test": (1, "", ""),
        ])
        #expect(seen == .known(FirewallFacts(firewalldRunning: true, rulesIn: [.iptables])))
    }

    @Test func storagekitsTableAndPolicyFile() async {
        let seen = await observe(["nft": (0, "table inet storagekit\n", ""), "iptables": Self.noChain, "test": (0, "", "")])
        #expect(seen == .known(FirewallFacts(firewalldRunning: false, rulesIn: [.nftables, .firewalld])))
    }

    @Test func noIptablesMeansNoChainButNoNftIsUnknown() async {
        #expect(await observe(["nft": (0, "", ""), "test": (1, "", "")]) == .known(FirewallFacts(firewalldRunning: false, rulesIn: [])))
        #expect(await observe(["iptables": Self.noChain, "test": (1, "", "")]) == .unknown("nft is not installed (nftables)"))
    }

    @Test func aFailingToolIsSaidNotTakenForNothing() async {
        let denied = await observe(["nft": (1, "", "Error: Operation not permitted (you must be root)\n"), "iptables": Self.noChain, "test": (1, "", "")])
        #expect(denied == .unknown("`nft list tables` failed: exit 1: Error: Operation not permitted (you must be root)"))
        let locked = await observe(["nft": (0, "", ""), "iptables": (4, "", "Another app is currently holding the xtables lock.\n"), "test": (1, "", "")])
        #expect(locked == .unknown("`iptables -S STORAGEKIT` failed: exit 4: Another app is currently holding the xtables lock."))
    }

    @Test func theServersAreTheHostsWhosePortsTheSpecOpens() throws {
        let spec = try SpecLoader.load(yaml: CheckFixtures.yaml + "\nfirewall: {manage: true}\n").spec
        #expect(FirewallObserver.servers(of: spec, areas: []).map(\.name) == ["san", "nfs"])
        #expect(FirewallObserver.servers(of: spec, areas: [.migration]).isEmpty, "migration needs no server")
        #expect(FirewallObserver.servers(of: CheckFixtures.spec, areas: []).isEmpty, "the spec does not manage firewalls")
    }

    @Test func hostFirewallJudgesServersToo() throws {
        let spec = try SpecLoader.load(yaml: CheckFixtures.yaml + "\nfirewall: {manage: true}\n").spec
        let facts = ClusterFacts(hosts: [:], serverFirewalls: [
            "nfs": .known(FirewallFacts(firewalldRunning: true, rulesIn: [.iptables])),
            "san": .unknown("nft is not installed (nftables)"),
        ])
        let findings = FirewallRule.evaluate(CheckContext(spec: spec, facts: facts, specFile: "c.yaml"))
        #expect(findings.count == 1)
        #expect(findings.first?.hosts == ["nfs"] && findings.first?.status == .warn && findings.first?.fix?.contains("storagekit firewall apply --host nfs") == true, "\(findings)")
    }
}
