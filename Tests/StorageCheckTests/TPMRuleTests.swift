import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import Testing

/// `migration.guest.tpm`: local vTPM state moves in the stream; state on shared storage needs
/// libvirt ≥ 8.10 everywhere; an external swtpm warns; a host TPM is a blocker.
@Suite struct TPMRuleTests {
    @Test func theParserReadsTheTPMAndWhereItsStateLives() throws {
        let local = try LibvirtDomainParser.parse(CoverageRuleTests.fixture("libvirt/tpm.xml"))
        #expect(local.tpm == TPMFacts(backend: .emulator, statePath: "/var/lib/libvirt/swtpm/8c1f3d2a-5b6e-4f70-9a81-2d3c4b5a6978"))
        let shared = try LibvirtDomainParser.parse(CoverageRuleTests.fixture("libvirt/tpm-shared.xml"))
        #expect(shared.tpm == TPMFacts(backend: .emulator, statePath: "/var/lib/vmstore/tpm/win11"))
        let passthrough = try LibvirtDomainParser.parse("<domain><name>p</name><devices><tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm></devices></domain>")
        #expect(passthrough.tpm == nil && passthrough.blockers == ["a TPM of the host (<tpm> with <backend type='passthrough'>)"])
        #expect(try LibvirtDomainParser.parse(CoverageRuleTests.fixture("libvirt/web.xml")).tpm == nil)
    }

    func findings(_ tpm: TPMFacts, libvirt: [String: String?]) -> [Finding] {
        CheckFixtures.findings { facts in
            facts["hv1"]!.domains = .known([DomainFacts(name: "win11", disks: [DiskFacts(source: "/var/lib/vmstore/win11.qcow2", cache: "none")], tpm: tpm)])
            for (host, version) in libvirt {
                facts[host]!.system.libvirtVersion = version.flatMap(SoftwareVersion.init).map { .known($0) } ?? .unknown("libvirtd or virtqemud is not installed (libvirt-daemon)")
            }
        }.filter { $0.check == CheckID.migrationGuestTPM }
    }

    @Test func localStateMovesInTheStream() {
        let found = findings(TPMFacts(backend: .emulator, statePath: "/var/lib/libvirt/swtpm/8c1f"), libvirt: ["hv1": "8.0.0", "hv2": "8.0.0"])
        #expect(found.map(\.status) == [.pass] && found[0].hosts == ["hv1"])
        #expect(found[0].message.contains("is local and moves in the migration stream"))
    }

    @Test func sharedStateNeedsLibvirt810OnEveryHost() {
        let old = findings(TPMFacts(backend: .emulator, statePath: "/var/lib/vmstore/tpm/win11"), libvirt: ["hv1": "9.0.0", "hv2": "8.0.0"])
        #expect(old.map(\.status) == [.fail] && old[0].hosts == ["hv2"])
        #expect(old[0].message.contains("libvirt before 8.10 on hv2") && old[0].fix?.contains("swtpm (≥ 0.8)") == true)
        let new = findings(TPMFacts(backend: .emulator, statePath: "/var/lib/vmstore/tpm/win11"), libvirt: ["hv1": "9.0.0", "hv2": "10.10.0"])
        #expect(new.map(\.status) == [.pass])
        let unknown = findings(TPMFacts(backend: .emulator, statePath: "/var/lib/vmstore/tpm/win11"), libvirt: ["hv1": "9.0.0", "hv2": nil])
        #expect(unknown.map(\.status) == [.warn] && unknown[0].hosts == ["hv2"])
    }

    @Test func anExternalSwtpmWarns() {
        let found = findings(TPMFacts(backend: .external, statePath: nil), libvirt: ["hv1": "10.0.0", "hv2": "10.0.0"])
        #expect(found.map(\.status) == [.warn] && found[0].message.contains("external swtpm"))
    }
}
