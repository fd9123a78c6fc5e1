import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// One change at a time per host: a second run waits for the first and then finds the work
/// done; a run that cannot get the lock in time fails naming who holds it, having written nothing.
@Suite(.serialized, .tags(.lab), .needsLab) struct ConcurrentApplyTests {
    @Test func twoAppliesAtOnceNeverInterleaveAndAHeldLockFailsClearly() async throws {
        try await LabFixture.with("sktl") { lab in
            let before = try await lab.exec("hv1", ["cat", "/etc/fstab"]).stdout

            // A lock held by a live process of this boot (a stand-in for another storagekit run).
            let holder = try await lab.exec("hv1", ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"])
            let pid = holder.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let owner = "pid=\(pid)\nboot=\(boot)\nmachine=other-admin\nsince=2026-11-25T08:00:00Z\n"
            #expect(try await lab.exec("hv1", ["sh", "-c", "mkdir -p /run/storagekit/apply.lock && printf '%s' \"$0\" > /run/storagekit/apply.lock/owner", owner]).exitCode == 0)
            let blocked = try await lab.onLab(["apply"], ["--host", "hv1"], environment: ["STORAGEKIT_LOCK_WAIT_SECONDS": "2"])
            #expect(blocked.exitCode == 1, "blocked apply: \(blocked.stdout)\(blocked.stderr)")
            #expect(blocked.stderr.contains("storagekit pid \(pid) on other-admin since 2026-11-25T08:00:00Z is changing this host (waited 2 s)"), "\(blocked.stderr)")
            #expect(try await lab.exec("hv1", ["cat", "/etc/fstab"]).stdout == before, "nothing written while locked out")

            // Released while a run waits: it goes on and finishes. A run that finds the lock taken
            // reads who holds it, which moves the owner file's access time off the epoch.
            let owned = "/run/storagekit/apply.lock/owner"
            #expect(try await lab.exec("hv1", ["touch", "-a", "-d", "@0", owned]).exitCode == 0)
            async let waited = lab.onLab(["apply"], ["--host", "hv1"], environment: ["STORAGEKIT_LOCK_WAIT_SECONDS": "20"])
            try await waitUntil("the second apply has read who holds the lock") {
                try await lab.exec("hv1", ["stat", "-c", "%X", owned]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            }
            #expect(try await lab.exec("hv1", ["sh", "-c", "rm -rf /run/storagekit/apply.lock; kill \"$0\"", pid]).exitCode == 0)
            let finished = try await waited
            #expect(finished.exitCode == 0 && finished.stdout.contains("update /etc/fstab"), "the waiting apply: \(finished.stdout)\(finished.stderr)")
            #expect(try await lab.onLab(["rollback"], ["--host", "hv1"]).exitCode == 0)

            // Two runs started together: both succeed, one after the other, same files.
            async let first = lab.onLab(["apply"], ["--host", "hv1"])
            async let second = lab.onLab(["apply"], ["--host", "hv1"])
            let (a, b) = try await (first, second)
            #expect(a.exitCode == 0 && b.exitCode == 0, "concurrent applies: \(a.stderr)\(b.stderr)")
            let after = try await lab.exec("hv1", ["cat", "/etc/fstab"]).stdout
            #expect(after != before && after.components(separatedBy: "# BEGIN storagekit").count == 2, "one managed block, not two: \(after)")
            let leftovers = try await lab.exec("hv1", ["sh", "-c", "find /etc -name '*.storagekit-new'; ls -d /run/storagekit/apply.lock 2>/dev/null"])
            #expect(leftovers.stdout.isEmpty, "staged files or the lock left: \(leftovers.stdout)")
            let third = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(third.stdout.contains("up to date, 0 changes"), "\(third.stdout)")
        }
    }
}
