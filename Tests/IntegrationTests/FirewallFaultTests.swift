import Foundation
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// The firewall never locks an admin out: unconfirmed rules go back even when storagekit dies
/// the instant they are live, and rules iptables-restore --test rejects never go live at all.
@Suite(.serialized, .tags(.lab), .needsLab) struct FirewallFaultTests {
    func chainRules(_ lab: LabFixture) async throws -> Int {
        try await lab.exec("nfs", ["iptables", "-S", "STORAGEKIT"]).stdout.split(separator: "\n").filter { $0.hasPrefix("-A") }.count
    }

    @Test func killedRightAfterLoadingUnconfirmedRulesTheOldRulesComeBack() async throws {
        try await LabFixture.with("sktw") { lab in
            #expect(try await chainRules(lab) == 0)
            let killed = try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "6"],
                                             environment: [FaultPoint.variable: FaultPoint.firewallLoaded.rawValue])
            #expect(killed.signal == 9 || killed.exitCode == 137, "killed at the fault point: \(killed.exitCode.map(String.init) ?? "-") \(killed.stderr)")
            #expect(killed.stderr.contains("fault point firewall-loaded"))
            #expect(try await chainRules(lab) > 10, "the new rules were live when it died")
            try await waitUntil("the saved rules are back", timeout: .seconds(25)) { try await chainRules(lab) == 0 }
            let jump = try await lab.exec("nfs", ["iptables", "-C", "INPUT", "-j", "STORAGEKIT"])
            #expect(jump.exitCode != 0, "INPUT no longer jumps to storagekit's chain")
            let persisted = try await lab.exec("nfs", ["sh", "-c", "cat /etc/iptables/rules.v4 2>/dev/null || true"])
            #expect(!persisted.stdout.contains("STORAGEKIT"), "unconfirmed rules were never saved")
        }
    }

    @Test func rulesIptablesRestoreRejectsAreNeverLoaded() async throws {
        try await LabFixture.with("sktx") { lab in
            let spec = try SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec
            let context = try HostContext.make(spec, host: try #require(spec.host(named: "nfs")))
            let broken = "*filter\n:STORAGEKIT - [0:0]\n-A STORAGEKIT -p tcp --dport 2049 -j ACCEPT\n-A STORAGEKIT -p tcp --dport nonsense -j DROP\nCOMMIT\n"
            await #expect(throws: (any Error).self) {
                try await FirewallApplier(context: context).apply(chainInput: broken, persistPath: "/etc/iptables/rules.v4", confirmWithin: .seconds(2))
            }
            #expect(try await chainRules(lab) == 0, "nothing of the broken file is live")
            #expect(try await FirewallApplier(context: context).pending() == false, "no rollback timer was armed for rules that never loaded")
        }
    }
}
