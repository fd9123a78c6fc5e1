import StorageSystem
import Testing

/// What `rollback` says it will do with the live firewall, from the snapshot an apply kept.
@Suite struct FirewallSnapshotTests {
    @Test func aChainAndATableAsTheyWere() throws {
        let snapshot = FirewallSnapshot(
            iptablesChain: ["-A STORAGEKIT -s 10.99.1.0/24 -p tcp -m tcp --dport 2049 -m comment --comment \"nfs\" -j ACCEPT"], iptablesJump: true,
            nftablesRestore: "table inet storagekit\ndelete table inet storagekit\ntable inet storagekit {\n}\n")
        #expect(try FirewallSnapshot.decoded(snapshot.encoded()) == snapshot)
        #expect(snapshot.steps == [
            "load storagekit's iptables chain as it was (1 rules, INPUT jumping to it)",
            "load nftables table inet storagekit as it was",
            "reload firewalld if it runs (the policy file as it was)",
        ])
    }

    @Test func nothingBeforeMeansTakenOut() {
        let snapshot = FirewallSnapshot(iptablesChain: nil, iptablesJump: false, nftablesRestore: "table inet storagekit\ndelete table inet storagekit\n")
        #expect(snapshot.steps.prefix(2) == ["take storagekit's iptables chain out (there was none)", "drop nftables table inet storagekit (there was none)"])
        #expect(FirewallSnapshot(iptablesChain: nil, iptablesJump: false, nftablesRestore: nil).steps.count == 2, "no nftables step where nft is not installed")
    }
}
