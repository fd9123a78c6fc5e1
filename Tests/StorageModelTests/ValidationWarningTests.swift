import StorageModel
import Testing

/// Risky choices are warnings: the spec is still valid (exit 0), the admin is told why and how.
@Suite struct ValidationWarningTests {
    @Test func anyHostWithNoRootSquash() throws {
        let diagnostics = try SpecFixture.diagnostics(("clients: [10.20.0.11, 10.20.0.12]", "clients: [\"*\"]"))
        #expect(!diagnostics.hasErrors)
        let warning = diagnostics.at("nfs.exports[0].clients", .warning)
        #expect(warning?.message == "any host (*) may mount this export as root (no_root_squash)")
        #expect(warning?.line == 22)
    }

    @Test func asyncOnVMImages() throws {
        let diagnostics = try SpecFixture.diagnostics(("rw, sync, no_root_squash", "rw, async, no_root_squash"))
        #expect(!diagnostics.hasErrors)
        #expect(diagnostics.at("nfs.exports[0].options", .warning)?.message.contains("async acknowledges writes") == true)
    }

    @Test func softMounts() throws {
        let diagnostics = try SpecFixture.diagnostics(("mountOptions: [hard, vers=4.1]", "mountOptions: [soft, vers=4.1]"))
        #expect(!diagnostics.hasErrors)
        let warning = diagnostics.at("nfs.mountOptions[0]", .warning)
        #expect(warning?.fix == "use hard")
        #expect(warning?.line == 26)
    }

    @Test func aHypervisorMissingFromATargetsInitiators() throws {
        let diagnostics = try SpecFixture.diagnostics(("initiators: [hv1, hv2]", "initiators: [hv1]"))
        #expect(!diagnostics.hasErrors)
        #expect(diagnostics.at("iscsi.targets[0].initiators", .warning)?.message.contains("hv2 is not an initiator") == true)
    }

    @Test func aHypervisorOutsideTheExportClientsCannotMount() throws {
        let diagnostics = try SpecFixture.diagnostics(("clients: [10.20.0.11, 10.20.0.12]", "clients: [10.20.0.11]"))
        #expect(!diagnostics.hasErrors)
        let warning = diagnostics.at("nfs.exports[0].clients", .warning)
        #expect(warning?.message.contains("hypervisor hv2 (10.20.0.12) is not among the clients") == true)
        #expect(warning?.fix == "add 10.20.0.12 or its network to clients")
    }

    @Test func aShortCHAPSecret() throws {
        let diagnostics = try SpecFixture.diagnostics(secret: .ok(length: 6))
        #expect(!diagnostics.hasErrors)
        #expect(diagnostics.at("iscsi.targets[0].chap.secretFile", .warning)?.message.contains("12-16") == true)
    }
}

/// Warnings about who besides the cluster may reach the storage (marked `exposure`, which
/// `check` repeats as spec.exposure findings).
@Suite struct ExposureWarningTests {
    static let spec = """
        cluster: w
        mountPath: /var/lib/vmstore
        network: [10.99.1.0/24]
        hosts:
          - {name: san, address: 10.99.1.5, roles: [iscsi-target]}
          - {name: nfs, address: 10.99.1.9, roles: [nfs-server]}
          - {name: hv1, address: 10.99.1.11, roles: [hypervisor]}
          - {name: hv2, address: 10.99.1.12, roles: [hypervisor]}
        nfs:
          server: nfs
          exports:
            - path: /srv/vmstore
              clients: [10.99.1.0/24]
              options: [rw, sync, no_root_squash, insecure, no_subtree_check]
        iscsi:
          targets:
            - iqn: iqn.2026-11.lab.san:vmstore
              server: san
              initiators: [hv1, hv2]
              luns:
                - {lun: 1, backingStore: /srv/iscsi/vmstore1.img, size: 256M}
        """

    func exposures(_ yaml: String) throws -> [Diagnostic] {
        let loaded = try SpecLoader.load(yaml: yaml)
        let diagnostics = SpecValidator(secretFile: { _ in .ok(length: 16) }).validate(loaded)
        #expect(!diagnostics.hasErrors, "\(diagnostics.errors)")
        return diagnostics.filter(\.exposure)
    }

    @Test func aWideRootExportInsecureNoCHAPAndNoFirewallAreEachNamedWithAFix() throws {
        let found = try exposures(Self.spec)
        #expect(found.map(\.path) == ["nfs.exports[0].clients", "nfs.exports[0].options", "iscsi.targets[0].chap", "firewall"], "\(found.map(\.path))")
        #expect(found[0].message.hasPrefix("252 address(es) of 10.99.1.0/24 besides the hypervisors may mount this export as root"))
        #expect(found[0].fix?.contains("10.99.1.11, 10.99.1.12") == true)
        #expect(found.allSatisfy { $0.severity == .warning && !($0.fix ?? "").isEmpty && $0.line != nil || $0.path == "firewall" })
    }

    @Test func theHypervisorsAloneTheirAddressesCHAPAndAManagedFirewallWarnNothing() throws {
        let tight = Self.spec
            .replacingOccurrences(of: "clients: [10.99.1.0/24]", with: "clients: [10.99.1.11, 10.99.1.12]")
            .replacingOccurrences(of: "insecure, ", with: "")
            .replacingOccurrences(of: "initiators: [hv1, hv2]", with: "initiators: [hv1, hv2]\n      chap: {username: u, secretFile: /etc/storagekit/w.secret}")
            + "\nfirewall: {manage: true}\n"
        #expect(try exposures(tight).isEmpty)
        // A /30 holding only the two hypervisors exposes nobody else either.
        let exact = tight.replacingOccurrences(of: "clients: [10.99.1.11, 10.99.1.12]", with: "clients: [10.99.1.12/31, 10.99.1.11]")
        let exactMessages = try exposures(exact).map(\.message)
        #expect(exactMessages.allSatisfy { !$0.contains("may mount") }, "\(exactMessages)")
        let wildcard = tight.replacingOccurrences(of: "clients: [10.99.1.11, 10.99.1.12]", with: "clients: [\"*\"]")
        #expect(try exposures(wildcard).map(\.message) == ["any host (*) may mount this export as root (no_root_squash)"])
    }
}
