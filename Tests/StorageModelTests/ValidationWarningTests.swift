import StorageModel
import Testing

/// Risky choices are warnings: the spec is still valid (exit 0), the admin is told why and how.
@Suite struct ValidationWarningTests {
    @Test func anyHostWithNoRootSquash() throws {
        let diagnostics = try SpecFixture.diagnostics(("clients: [10.20.0.0/24]", "clients: [\"*\"]"))
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
        let diagnostics = try SpecFixture.diagnostics(("clients: [10.20.0.0/24]", "clients: [10.20.0.11]"))
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
