import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// A full file system under a config storagekit writes: a clear error naming the file and
/// ENOSPC, the old file intact, no staged copy left behind, and a rerun with room converges.
@Suite(.serialized, .tags(.lab), .needsLab) struct DiskFullTests {
    @Test func noSpaceLeavesTheOldFileAndSaysSo() async throws {
        try await LabFixture.with("sktd") { lab in
            // hv1's /etc/iscsi becomes a 64 KiB tmpfs (its own mount namespace) holding the
            // old initiator name, filled to the last block.
            let setup = """
                set -e
                cp -a /etc/iscsi /run/iscsi-old
                mount -t tmpfs -o size=64k tmpfs /etc/iscsi
                cp -a /run/iscsi-old/. /etc/iscsi/
                dd if=/dev/zero of=/etc/iscsi/filler bs=4k status=none 2>/dev/null || true
                sha256sum < /etc/iscsi/initiatorname.iscsi
                """
            let full = try await lab.exec("hv1", ["sh", "-c", setup])
            #expect(full.exitCode == 0, "\(full.stderr)")
            let before = full.stdout

            let apply = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(apply.exitCode == 1, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("/etc/iscsi/initiatorname.iscsi") && apply.stderr.contains("No space left on device"), "\(apply.stderr)")
            #expect(!apply.stderr.contains("Fatal error"))
            let after = try await lab.exec("hv1", ["sh", "-c", "sha256sum < /etc/iscsi/initiatorname.iscsi; ls -A /etc/iscsi"])
            #expect(after.stdout.hasPrefix(before), "the old file is intact: \(after.stdout)")
            #expect(!after.stdout.contains("storagekit-new"), "no staged copy left: \(after.stdout)")

            // Room again: the rerun finishes the job.
            #expect(try await lab.exec("hv1", ["rm", "/etc/iscsi/filler"]).exitCode == 0)
            let rerun = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(rerun.exitCode == 0, "\(rerun.stdout)\(rerun.stderr)")
            #expect(try await lab.exec("hv1", ["cat", "/etc/iscsi/initiatorname.iscsi"]).stdout.contains("InitiatorName=iqn.2026-11.storagekit.sktd:hv1"))
        }
    }
}
