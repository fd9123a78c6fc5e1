import Foundation
import StorageModel
import StorageTestSupport
import Testing

/// `firewall.backend`: the spec key, the per-host override, and `auto` decided from what the
/// host runs.
@Suite struct FirewallBackendTests {
    static let debianConf = try! TestFixtures.text("nftables/debian-12-nftables.conf")

    func observed(firewalld: Bool = false, unit: String? = "disabled", conf: String? = debianConf) -> FirewallBackendDetection.Observed {
        .init(firewalldRunning: firewalld, nftablesUnitState: unit, nftablesConf: conf, nftablesConfPath: "/etc/nftables.conf")
    }

    @Test func debiansShippedConfHasNoRulesOfItsOwn() {
        #expect(FirewallBackendDetection.ownRules(ofNFTablesConf: Self.debianConf).isEmpty, "\(Self.debianConf)")
        let choice = FirewallBackendDetection.choose(.auto, observed())
        #expect(choice.backend == .iptables)
        #expect(choice.reason == "firewalld is not running, nftables.service is disabled, and /etc/nftables.conf has no rules")
    }

    @Test func autoPrefersFirewalldThenAnEnabledUnitThenRulesInTheConf() {
        #expect(FirewallBackendDetection.choose(.auto, observed(firewalld: true, unit: "enabled")) == .init(backend: .firewalld, reason: "firewalld is running"))
        #expect(FirewallBackendDetection.choose(.auto, observed(unit: "enabled")).backend == .nftables)
        let withRules = Self.debianConf.replacingOccurrences(of: "type filter hook input priority filter;", with: "type filter hook input priority filter;\n\t\ttcp dport 22 accept # ssh")
        let choice = FirewallBackendDetection.choose(.auto, observed(conf: withRules))
        #expect(choice.backend == .nftables)
        #expect(choice.reason == "/etc/nftables.conf has rules of its own (1, first: `tcp dport 22 accept`)")
        // systemctl that cannot answer (no systemd) is said, not taken for "disabled".
        #expect(FirewallBackendDetection.choose(.auto, observed(unit: nil, conf: nil)).reason.contains("systemctl cannot say whether nftables.service is enabled"))
    }

    @Test func aBackendTheSpecNamesIsNeverSecondGuessed() {
        #expect(FirewallBackendDetection.choose(.nftables, observed(firewalld: true)) == .init(backend: .nftables, reason: "the spec says nftables"))
    }

    @Test func theClusterKeyAndAHostsOverride() throws {
        let text = SpecFixture.yaml([("firewall: {manage: true}", "firewall: {manage: true, backend: nftables}"),
                                     ("    address: 10.20.0.12\n", "    address: 10.20.0.12\n    firewall: {backend: iptables}\n")])
        let spec = try SpecLoader.load(yaml: text).spec
        #expect(spec.firewall.backend == .nftables)
        #expect(spec.firewallBackend(of: try #require(spec.host(named: "hv1"))) == .nftables)
        #expect(spec.firewallBackend(of: try #require(spec.host(named: "hv2"))) == .iptables)
        #expect(try SpecLoader.load(yaml: SpecFixture.base).spec.firewall.backend == .auto)
    }

    @Test func anUnknownBackendIsAnErrorThatListsTheChoices() throws {
        let diagnostics = try SpecFixture.diagnostics(("firewall: {manage: true}", "firewall: {manage: true, backend: ufw}"))
        let error = diagnostics.at("firewall.backend")
        #expect(error?.message.contains("ufw") == true, "\(String(describing: error))")
        #expect(error?.message.contains("auto | iptables | nftables | firewalld") == true, "\(String(describing: error))")
        let spec = try SpecLoader.load(yaml: SpecFixture.yaml([("firewall: {manage: true}", "firewall: {manage: true, backend: firewalld}")])).spec
        #expect(spec.firewall.backend == .firewalld)
    }
}
