import StorageFacts
import StorageModel
import Testing
@testable import StorageCheck

/// `host.firewall`: storagekit's rules are in the firewall the host runs.
@Suite struct FirewallRuleTests {
    func finding(firewalld: Bool, _ rulesIn: [FirewallBackend], wanted: FirewallBackend = .auto) -> Finding {
        FirewallRule.finding("hv1", FirewallFacts(firewalldRunning: firewalld, rulesIn: rulesIn), wanted: wanted)
    }

    @Test func rulesWhereTheHostsFirewallIsPass() {
        #expect(finding(firewalld: false, [.iptables]).status == .pass)
        #expect(finding(firewalld: true, [.firewalld]).message == "storagekit's rules are in firewalld, the firewall it runs")
        #expect(finding(firewalld: true, [.firewalld], wanted: .firewalld).status == .pass)
        #expect(finding(firewalld: false, [.nftables], wanted: .nftables).status == .pass)
    }

    @Test func firewalldRunningWithTheRulesElsewhereWarnsWithTheWayToMoveThem() {
        let auto = finding(firewalld: true, [])
        #expect(auto.status == .warn && auto.message == "firewalld runs, but storagekit's rules are in no firewall: firewalld's zone can drop the ports they open")
        #expect(auto.fix?.hasPrefix("storagekit firewall apply --host hv1 (with `backend: auto` it now picks firewalld)") == true)
        let pinned = finding(firewalld: true, [.iptables], wanted: .iptables)
        #expect(pinned.status == .warn && pinned.message.contains("the spec keeps storagekit's rules in iptables (they are in iptables)"))
        #expect(pinned.fix?.contains("`firewall: {backend: firewalld}` for hv1") == true)
    }

    @Test func otherMismatchesWarn() {
        #expect(finding(firewalld: false, [.firewalld], wanted: .firewalld).message == "the spec keeps storagekit's rules in firewalld, but firewalld does not run")
        #expect(finding(firewalld: false, [.iptables, .nftables]).message.contains("in iptables and nftables at once"))
        #expect(finding(firewalld: false, []).status == .warn)
    }

    @Test func onlyKnownFactsAreJudged() {
        var facts = HostFacts(host: "hv1", version: "t")
        facts.system.firewall = .unknown("nft is not installed (nftables)")
        let context = CheckContext(spec: CheckFixtures.spec, facts: ClusterFacts(hosts: ["hv1": .answered(facts)]), specFile: "spec.yaml")
        #expect(FirewallRule.evaluate(context).isEmpty)
    }
}
