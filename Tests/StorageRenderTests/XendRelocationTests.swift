import Foundation
import StorageModel
import StorageRender
import Testing

/// xend's relocation stanza: a managed block in the admin's xend-config.sxp, the peers as
/// escaped anchored regexes, earlier active settings of the same keys commented out (xend
/// takes the first), nothing else touched, and nothing at all for xl or KVM.
@Suite struct XendRelocationTests {
    static let spec = """
        cluster: xenlab
        mountPath: /var/lib/xen/images
        network: [10.20.0.0/24, 10.20.1.0/24]
        hosts:
          - {name: san1, address: 10.20.0.5, roles: [iscsi-target]}
          - {name: xen1, address: 10.20.0.11, roles: [hypervisor]}
          - {name: xen2, addresses: [10.20.0.12, 10.20.1.12], roles: [hypervisor]}
          - {name: xen3, address: 10.20.0.13, roles: [hypervisor]}
        iscsi:
          targets:
            - iqn: iqn.2026-11.lab.san:vm
              server: san1
              initiators: [xen1, xen2, xen3]
              chap: {username: u, secretFile: /etc/storagekit/x.secret}
              luns: [{lun: 1, backingStore: /srv/vm.img, size: 1G}]
        firewall: {manage: true}
        migration: {hypervisor: xen, configure: true}
        """

    func load(_ yaml: String) throws -> (ClusterSpec, [Diagnostic]) {
        let loaded = try SpecLoader.load(yaml: yaml)
        return (loaded.spec, SpecValidator(secretFile: { _ in .ok(length: 16) }).validate(loaded))
    }

    func xendFile(_ yaml: String, host: String = "xen1") throws -> RenderedFile? {
        let (spec, diagnostics) = try load(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.errors)")
        return try HostRenderer.render(spec, host: host, secrets: ["/etc/storagekit/x.secret": "s3cretS3cret"]).first { $0.path == "/etc/xen/xend-config.sxp" }
    }

    static var fixture: String {
        get throws {
            try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/xen/xend-config.sxp"), encoding: .utf8)
        }
    }

    @Test func thePeersAreAnchoredEscapedRegexesTheHostItselfIsNot() throws {
        let file = try #require(try xendFile(Self.spec))
        #expect(file.content.contains("(xend-relocation-server yes)\n(xend-relocation-port 8002)\n(xend-relocation-address '10.20.0.11')\n"))
        #expect(file.content.contains("(xend-relocation-hosts-allow '^10\\\\.20\\\\.0\\\\.12$ ^10\\\\.20\\\\.1\\\\.12$ ^10\\\\.20\\\\.0\\\\.13$')"), "\(file.content)")
        #expect(!file.content.contains("10\\\\.20\\\\.0\\\\.11"), "xen1 does not relocate to itself")
        #expect(!file.content.contains("^xen2$"), "names are not trusted (reverse DNS)")
        guard case .managedBlock(let begin, let end, let supersedes) = file.kind else { Issue.record("not a managed block"); return }
        #expect(begin == "# BEGIN storagekit xenlab" && end == "# END storagekit xenlab")
        #expect(Set(supersedes) == ["xend-relocation-server", "xend-relocation-port", "xend-relocation-address", "xend-relocation-hosts-allow"])
    }

    @Test func mergedIntoTheAdminsFileOnlyTheConflictingActiveLinesChangeAndOnlyOnce() throws {
        let file = try #require(try xendFile(Self.spec.replacingOccurrences(of: "configure: true}", with: "configure: true, relocationPort: 8102}")))
        guard case .managedBlock(let begin, let end, let supersedes) = file.kind else { Issue.record("not a managed block"); return }
        let existing = try Self.fixture
        let merged = ManagedBlock.merge(existing: existing, block: file.content, begin: begin, end: end, supersedes: supersedes)
        let before = existing.split(separator: "\n", omittingEmptySubsequences: false)
        let after = merged.split(separator: "\n", omittingEmptySubsequences: false)
        let changed = zip(before.dropLast(), after).filter { $0 != $1 }
        #expect(changed.map(\.1) == [
            "# storagekit: superseded by its managed block: (xend-relocation-server yes)",
            "# storagekit: superseded by its managed block: (xend-relocation-hosts-allow '^localhost$ ^localhost\\\\.localdomain$')",
        ], "\(changed)")
        #expect(merged.hasSuffix(file.content) && merged.contains("(xend-relocation-port 8102)"))
        #expect(merged.contains("\n#(xend-relocation-port 8002)\n") && merged.contains("\n(dom0-min-mem 196)\n"), "comments and other settings untouched")
        #expect(ManagedBlock.merge(existing: merged, block: file.content, begin: begin, end: end, supersedes: supersedes) == merged, "a second merge changes nothing")
        // Only one active line per owned key remains: the block's.
        for key in supersedes {
            #expect(after.filter { $0.hasPrefix("(\(key) ") }.count == 1, "\(key)")
        }
    }

    @Test func xlKVMAndConfigureOffWriteNoXendFileAndXlOpensNoRelocationPort() throws {
        #expect(try xendFile(Self.spec.replacingOccurrences(of: "configure: true", with: "configure: true, toolstack: xl")) == nil)
        #expect(try xendFile(Self.spec.replacingOccurrences(of: ", configure: true", with: "")) == nil)
        let xl = try load(Self.spec.replacingOccurrences(of: "configure: true", with: "toolstack: xl")).0
        #expect(!FirewallPolicy.openings(for: try #require(xl.host(named: "xen1")), in: xl).contains { $0.service == "xen-relocation" })
        let xend = try load(Self.spec.replacingOccurrences(of: "configure: true", with: "relocationPort: 8102")).0
        #expect(FirewallPolicy.openings(for: try #require(xend.host(named: "xen1")), in: xend).contains { $0.service == "xen-relocation" && $0.port == 8102 })
    }

    @Test func xenSettingsOnKVMAndBadPortsAreErrorsNamingTheField() throws {
        let kvm = try load(Self.spec.replacingOccurrences(of: "hypervisor: xen, configure: true", with: "hypervisor: kvm, toolstack: xl")).1
        #expect(kvm.errors.contains { $0.path == "migration.toolstack" && $0.message.contains("Xen setting") })
        let zero = try load(Self.spec.replacingOccurrences(of: "configure: true", with: "configure: true, relocationPort: 0")).1
        #expect(zero.errors.contains { $0.path == "migration.relocationPort" && $0.message.contains("not a port") })
        let ssh = try load(Self.spec.replacingOccurrences(of: "configure: true", with: "configure: true, relocationPort: 22")).1
        #expect(ssh.errors.contains { $0.path == "migration.relocationPort" && $0.message.contains("ssh") })
    }

    @Test func aSettingOverSeveralLinesIsCommentedOutWhole() {
        let existing = "(logfile /var/log/xen/xend.log)\n(xend-relocation-hosts-allow '^a$ (b)\n   ^c$'\n   )\n(dom0-cpus 0)\n"
        let merged = ManagedBlock.merge(existing: existing, block: "# BEGIN x\n(xend-relocation-hosts-allow '')\n# END x\n", begin: "# BEGIN x", end: "# END x",
                                        supersedes: ["xend-relocation-hosts-allow"])
        #expect(merged == "(logfile /var/log/xen/xend.log)\n"
            + ManagedBlock.supersededPrefix + "(xend-relocation-hosts-allow '^a$ (b)\n"
            + ManagedBlock.supersededPrefix + "   ^c$'\n"
            + ManagedBlock.supersededPrefix + "   )\n(dom0-cpus 0)\n# BEGIN x\n(xend-relocation-hosts-allow '')\n# END x\n")
    }

    @Test func metacharactersInANameAreEscapedForTheRegexAndTheSXPString() {
        #expect(XendRelocationTestAccess.hostsAllow(["a.b", "x+y", "a.b"]) == "^a\\\\.b$ ^x\\\\+y$")
    }
}
