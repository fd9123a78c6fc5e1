import Testing
@testable import StorageProbe

/// Calls into the real libiscsi and libnfs through the shims: proves linking and the module maps.
@Suite struct CLibrarySmokeTests {
    @Test func libiscsiParsesAFullURL() throws {
        let context = try ISCSIContext(initiatorName: "iqn.2026-11.storagekit.test:probe")
        let url = try context.parseURL("iscsi://vmstore%secret@10.20.0.5:3260/iqn.2026-11.lab.san1:vmstore/1")
        #expect(url == ISCSIURL(portal: "10.20.0.5:3260", target: "iqn.2026-11.lab.san1:vmstore", lun: 1, user: "vmstore"))
    }

    @Test func libiscsiRejectsANonISCSIURL() throws {
        let context = try ISCSIContext(initiatorName: "iqn.2026-11.storagekit.test:probe")
        #expect(throws: ProbeError.self) { try context.parseURL("http://10.20.0.5/iqn.x/1") }
    }

    @Test func libnfsCreatesAContextAndParsesAURL() throws {
        let context = try NFSContext(timeoutMilliseconds: 1234)
        #expect(context.timeoutMilliseconds == 1234)
        let url = try context.parseURL("nfs://10.20.0.9/srv/vmstore/disk.img")
        #expect(url.server == "10.20.0.9")
        #expect(url.path + url.file == "/srv/vmstore/disk.img")
    }

    @Test func libnfsRejectsAMalformedURL() throws {
        let context = try NFSContext()
        #expect(throws: ProbeError.self) { try context.parseURL("iscsi://10.20.0.9/x") }
    }
}
