@testable import StorageSystem
import Testing

/// The MANIFEST an apply writes, read back whole or not at all.
@Suite struct BackupManifestTests {
    @Test func everyKindReadsBackAsWritten() throws {
        let entries: [BackupEntry] = [.replaced("/etc/exports"), .created("/etc/storagekit/firewall.nft"), .liveFirewall("firewall-live.json"), .replaced("/etc/a path with spaces")]
        #expect(try BackupEntry.parse(entries.map { $0.line + "\n" }.joined()) == entries)
    }

    @Test func anUnknownLineStopsTheWholeRestoreNamingTheLine() {
        #expect(throws: SystemError.backupManifest(line: 2, text: "moved /etc/fstab")) {
            try BackupEntry.parse("replaced /etc/exports\nmoved /etc/fstab\n")
        }
        #expect(throws: SystemError.backupManifest(line: 1, text: "replaced")) { try BackupEntry.parse("replaced\n") }
        #expect(SystemError.backupManifest(line: 2, text: "moved /etc/fstab").description.contains("nothing was restored"))
    }
}
