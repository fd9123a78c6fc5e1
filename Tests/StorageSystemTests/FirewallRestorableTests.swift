import StorageSystem
import Testing

/// The rollback input: what iptables-save printed, and for a host that had no rules at all an
/// explicit empty filter table, so the rollback really removes storagekit's chain.
@Suite struct FirewallRestorableTests {
    @Test func noRulesAtAllBecomesAnEmptyFilterTableWithAcceptPolicies() {
        let restored = FirewallApplier.restorable(saved: "")
        #expect(restored == "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n")
        let natOnly = "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"
        #expect(FirewallApplier.restorable(saved: natOnly).hasPrefix(natOnly) && FirewallApplier.restorable(saved: natOnly).contains("*filter\n"))
    }

    @Test func savedFilterRulesAreKeptAsTheyWere() {
        let saved = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"
        #expect(FirewallApplier.restorable(saved: saved) == saved)
    }
}
