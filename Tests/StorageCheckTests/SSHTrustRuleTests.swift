import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import Testing

/// `migration.ssh`: root reaches its peers over ssh without a prompt; a fail when the spec
/// migrates over ssh, a warning when it does not say, nothing for TLS, TCP or xend.
@Suite struct SSHTrustRuleTests {
    @Test(arguments: [
        ("key-refused.txt", SSHOutcome.keyRefused), ("host-key-unknown.txt", .hostKeyUnknown), ("host-key-changed.txt", .hostKeyChanged),
        ("no-sshd.txt", .noSSHD), ("unresolved.txt", .unresolved), ("unreachable.txt", .unreachable), ("timed-out.txt", .unreachable),
    ])
    func opensshsOwnWordsAreRead(file: String, outcome: SSHOutcome) throws {
        let stderr = try CoverageRuleTests.fixture("ssh/" + file)
        #expect(SSHBatchModeOutcome.classify(exitCode: 255, stderr: stderr) == outcome)
    }

    @Test func exitZeroIsTrustAndAnythingElseIsAFailureWithItsLastLine() throws {
        #expect(SSHBatchModeOutcome.classify(exitCode: 0, stderr: "Warning: Permanently added 'hv2' (ED25519) to the list of known hosts.\n") == .trusted)
        #expect(SSHBatchModeOutcome.classify(exitCode: 255, stderr: "kex_exchange_identification: read: Connection reset by peer\n") == .failed)
        #expect(SSHBatchModeOutcome.lastLine(try CoverageRuleTests.fixture("ssh/host-key-changed.txt")) == "Host key verification failed.")
        #expect(SSHBatchModeOutcome.lastLine("") == "")
    }

    static func spec(_ migration: String) -> ClusterSpec {
        try! SpecLoader.load(yaml: CheckFixtures.yaml.replacingOccurrences(of: "migration: {hypervisor: kvm}", with: "migration: \(migration)")).spec
    }

    static func trusted(_ facts: inout [String: HostFacts]) {
        for (host, peers) in ["hv1": ["hv2", "hv3"], "hv2": ["hv1", "hv3"], "hv3": ["hv1", "hv2"]] {
            facts[host]!.ssh = peers.map { SSHTrustFacts(peer: $0, outcome: .trusted) }
        }
    }

    @Test func trustEverywherePasses() {
        let findings = CheckFixtures.findings(spec: Self.spec("{hypervisor: kvm, transport: ssh}"), Self.trusted)
        let passed = findings.with(.migrationSSH, .pass)
        // hv3 shares no storage with them (CheckFixtures): it is not judged.
        #expect(Set(passed.flatMap(\.hosts)) == ["hv1", "hv2"])
        #expect(findings.failing(.migrationSSH).isEmpty && findings.with(.migrationSSH, .warn).isEmpty)
    }

    @Test func aRefusedKeyFailsWhenTheSpecMigratesOverSSHNamingSourcePeerAndFix() {
        let findings = CheckFixtures.findings(spec: Self.spec("{hypervisor: kvm, transport: ssh}")) { facts in
            Self.trusted(&facts)
            facts["hv1"]!.ssh[0] = SSHTrustFacts(peer: "hv2", outcome: .keyRefused, said: "root@hv2: Permission denied (publickey).")
            facts["hv2"]!.ssh[0] = SSHTrustFacts(peer: "hv1", outcome: .hostKeyUnknown, said: "Host key verification failed.")
        }
        let failing = findings.failing(.migrationSSH)
        #expect(failing.map(\.hosts) == [["hv1"], ["hv2"]])
        #expect(failing[0].message.contains("hv2: root's key is refused (root@hv2: Permission denied (publickey).)"))
        #expect(failing[0].message.contains("migration.transport: ssh"))
        #expect(failing[0].fix == "on hv1: ssh-keygen -t ed25519 (if root has no key), then ssh-copy-id root@hv2")
        #expect(failing[1].fix?.hasPrefix("on hv2: ssh root@hv1 once and accept its key only after comparing it") == true)
        #expect(findings.with(.migrationSSH, .pass).isEmpty)
    }

    @Test func anSSHThatDidNotFinishInTimeIsNeverAFailure() {
        let findings = CheckFixtures.findings(spec: Self.spec("{hypervisor: kvm, transport: ssh}")) { facts in
            Self.trusted(&facts)
            facts["hv1"]!.ssh[0] = SSHTrustFacts(peer: "hv2", outcome: .timeout, said: "not finished within 6.0 s")
        }
        #expect(findings.failing(.migrationSSH).isEmpty)
        #expect(findings.with(.migrationSSH, .warn).first?.message.contains("hv2: ssh did not finish in time, so this is not proved (not finished within 6.0 s)") == true)
    }

    @Test func anUnstatedTransportWarnsAndSaysHowToSilenceIt() {
        let findings = CheckFixtures.findings(spec: Self.spec("{hypervisor: kvm}")) { facts in
            Self.trusted(&facts)
            facts["hv2"]!.ssh = [SSHTrustFacts(peer: "hv1", outcome: .noSSHD, said: "ssh: connect to host hv1 port 22: Connection refused"), SSHTrustFacts(peer: "hv3", outcome: .noSSHD)]
        }
        #expect(findings.failing(.migrationSSH).isEmpty)
        let warned = findings.with(.migrationSSH, .warn)
        #expect(warned.map(\.hosts) == [["hv2"]])
        #expect(warned.first?.fix == "start sshd on hv1, hv3 (systemctl enable --now ssh, or sshd on RHEL) (or, if guests migrate over TLS or TCP, say so: `migration: {transport: tls}`)")
    }

    @Test func tlsTcpAndXendNeedNoSSHAndXlDoes() {
        for migration in ["{hypervisor: kvm, transport: tls}", "{hypervisor: kvm, transport: tcp}", "{hypervisor: xen}"] {
            let findings = CheckFixtures.findings(spec: Self.spec(migration)) { facts in facts["hv1"]!.ssh = [SSHTrustFacts(peer: "hv2", outcome: .keyRefused)] }
            #expect(findings.filter { $0.check == CheckID.migrationSSH }.isEmpty, "\(migration)")
        }
        let xl = CheckFixtures.findings(spec: Self.spec("{hypervisor: xen, toolstack: xl}")) { facts in
            facts["hv1"]!.ssh = [SSHTrustFacts(peer: "hv2", outcome: .unresolved, said: "ssh: Could not resolve hostname hv2: Name or service not known")]
        }
        #expect(xl.failing(.migrationSSH).first?.message.contains("xl migrate") == true)
        #expect(xl.failing(.migrationSSH).first?.fix == "make hv2 resolve on hv1 (DNS or /etc/hosts): libvirt and xl connect by that name")
    }

    @Test func theTransportIsAKVMSettingNamedInTheSpec() throws {
        #expect(Self.spec("{hypervisor: kvm, transport: ssh}").migration.sshTrust == .required)
        #expect(Self.spec("{hypervisor: kvm}").migration.sshTrust == .unstated)
        let xen = try SpecLoader.load(yaml: CheckFixtures.yaml.replacingOccurrences(of: "migration: {hypervisor: kvm}", with: "migration: {hypervisor: xen, transport: ssh}"))
        #expect(xen.diagnostics.contains { $0.path == "migration.transport" && $0.fix?.contains("toolstack: xl") == true })
        let typo = try SpecLoader.load(yaml: CheckFixtures.yaml.replacingOccurrences(of: "migration: {hypervisor: kvm}", with: "migration: {hypervisor: kvm, transport: sh}"))
        #expect(typo.diagnostics.contains { $0.path == "migration.transport" && $0.message.contains("ssh | tls | tcp") })
    }
}
