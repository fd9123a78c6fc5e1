import StorageModel
import Testing
@testable import StorageRender

/// storagekit's nftables table: the same openings as the iptables chain, in nft's own listing
/// form (so a second apply sees no change), and the include that loads it at boot.
@Suite struct NFTablesFilesTests {
    static let yaml = """
        cluster: t
        mountPath: /var/lib/vmstore
        network: [10.99.1.0/24]
        hosts:
          - {name: nfs, address: 10.99.1.9, roles: [nfs-server]}
          - {name: hv1, address: 10.99.1.11, roles: [hypervisor]}
          - {name: hv2, address: 10.99.1.12, roles: [hypervisor]}
        nfs:
          server: nfs
          exports:
            - {path: /srv/vmstore, clients: [10.99.1.11, 10.99.1.12], options: [rw, sync, no_root_squash, no_subtree_check]}
        firewall: {manage: true, backend: nftables}
        migration: {hypervisor: kvm}
        """

    @Test func theTableOpensWhatTheChainOpensInNftsListingForm() throws {
        let spec = try SpecLoader.load(yaml: Self.yaml).spec
        let ruleset = try #require(NFTablesFiles.ruleset(spec, host: "hv1"))
        let listing = NFTablesFiles.listing(of: ruleset)
        #expect(listing.hasPrefix("table inet storagekit {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n"))
        #expect(listing.contains("\t\tip saddr 10.99.1.0/24 tcp dport 49152-49215 accept comment \"qemu-migration\"\n"))
        #expect(listing.contains("\t\ttcp dport 49152-49215 drop comment \"qemu-migration: not from the storage network\"\n"))
        // As many port rules as the iptables chain (its -i lo, conntrack and RETURN aside).
        let chain = try #require(FirewallFiles.chainRestoreInput(spec, host: "hv1"))
        let chainRules = chain.split(separator: "\n").filter { $0.contains("--dport") }.count
        #expect(NFTablesFiles.rules(of: listing).filter { $0.contains("dport") }.count == chainRules)
        #expect(ruleset.hasPrefix("# firewall for storage and migration traffic (nftables)"))
        #expect(ruleset.contains("table inet storagekit\ndelete table inet storagekit\ntable inet storagekit {"))
    }

    @Test func renderWritesTheTableAndTheIncludeNotTheIptablesFile() throws {
        let spec = try SpecLoader.load(yaml: Self.yaml).spec
        let files = try HostRenderer.render(spec, host: "nfs", parts: [.firewall])
        #expect(files.map(\.path) == ["/etc/nftables.conf", "/etc/storagekit/firewall.nft"])
        #expect(files[0].content == NFTablesFiles.includeBlock && files[0].content.contains("include \"/etc/storagekit/firewall.nft\"\n"))
        #expect(files[1].mode == 0o600)
        let rhel = try SpecLoader.load(yaml: "os: rhel\n" + Self.yaml).spec
        #expect(try HostRenderer.render(rhel, host: "nfs", parts: [.firewall]).map(\.path) == ["/etc/storagekit/firewall.nft", "/etc/sysconfig/nftables.conf"])
    }

    @Test func theIncludeBlockComesOutLeavingEveryOtherLine() {
        let conf = "#!/usr/sbin/nft -f\n\nflush ruleset\n\(NFTablesFiles.includeBegin)\n\(NFTablesFiles.includeLine)\n\(NFTablesFiles.includeEnd)\n"
        #expect(ManagedBlock.remove(from: conf, begin: NFTablesFiles.includeBegin, end: NFTablesFiles.includeEnd) == "#!/usr/sbin/nft -f\n\nflush ruleset\n")
        #expect(ManagedBlock.remove(from: "x\n", begin: NFTablesFiles.includeBegin, end: NFTablesFiles.includeEnd) == "x\n")
    }
}
