import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// `setup iscsi-target` never shrinks, truncates or overwrites a backing file: one larger than
/// the spec's size stops the run naming the field; one of the right size keeps every byte.
@Suite(.serialized, .tags(.lab), .needsLab) struct BackingStoreSafetyTests {
    static let lun1 = "/srv/iscsi/vmstore1.img"

    func fingerprint(_ lab: LabFixture) async throws -> String {
        try await lab.exec("san", ["sh", "-c", "stat -c %s \"$0\" && head -c 1048576 \"$0\" | sha256sum", Self.lun1]).stdout
    }

    @Test func aLargerFileStopsTheRunAndAnExistingOneKeepsEveryByte() async throws {
        try await LabFixture.with("sktb") { lab in
            // 300 MiB with data at its start, where the spec says 256M.
            #expect(try await lab.exec("san", ["sh", "-c", "mkdir -p /srv/iscsi && truncate -s 300M \"$0\" && head -c 1048576 /dev/urandom | dd of=\"$0\" conv=notrunc status=none", Self.lun1]).exitCode == 0)
            let before = try await fingerprint(lab)
            let refused = try await lab.onLab(["setup", "iscsi-target"])
            #expect(refused.exitCode == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("is 314572800 bytes, larger than iscsi.targets[0].luns[0].size (256M)") && refused.stderr.contains("at least 300M"), "\(refused.stderr)")
            #expect(try await fingerprint(lab) == before, "the file is untouched")
            #expect(try await lab.exec("san", ["test", "-e", "/srv/iscsi/vmstore2.img"]).exitCode != 0, "nothing else was created either")

            // The spec's size, with data: served as it is, every byte kept.
            #expect(try await lab.exec("san", ["sh", "-c", "truncate -s 256M \"$0\"", Self.lun1]).exitCode == 0)
            let kept = try await fingerprint(lab)
            let setup = try await lab.onLab(["setup", "iscsi-target"])
            #expect(setup.exitCode == 0, "\(setup.stdout)\(setup.stderr)")
            #expect(!setup.stdout.contains("create sparse backing file \(Self.lun1)"))
            #expect(try await fingerprint(lab) == kept, "an existing backing file is never rewritten")
            let again = try await lab.onLab(["setup", "iscsi-target"])
            let afterAgain = try await fingerprint(lab)
            #expect(again.exitCode == 0 && again.stdout.contains("up to date, 0 changes") && afterAgain == kept, "\(again.stdout)")
        }
    }
}
