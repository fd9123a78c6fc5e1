import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// `setup drbd` on the lab of examples/xen-drbd.yaml. A namespace has no DRBD of its own, so
/// this proves what can be proved without the kernel module: the steps planned from what
/// `blkid` really finds on each node's disk (an empty image, a real ext4, real DRBD metadata
/// written by drbdmeta), the refusal, the files, and the clear error where drbd.ko is missing.
/// Each node's "disk" is an image in its own tmpfs on /dev/shm (the lab's mount namespaces
/// are private), so hv1 and hv2 see different disks at the spec's one path.
@Suite(.serialized, .tags(.lab), .needsLab) struct SetupDRBDTests {
    static let disk = "/dev/shm/storagekit-r0.img"

    struct Followed: Decodable {
        struct FollowUp: Decodable {
            struct Line: Decodable { let mark: String; let text: String }
            let lines: [Line]
            let failed: Bool
        }
        let dryRun: Bool
        let followUp: FollowUp?
    }

    func dryRun(_ lab: LabFixture, _ spec: String, _ extra: [String] = []) async throws -> (exit: Int32?, steps: [String], failed: Bool) {
        let result = try await lab.storagekit(["setup", "drbd", "--spec", spec, "--dry-run", "--json"] + extra)
        let report = try JSONDecoder().decode(Followed.self, from: Data(result.stdout.utf8))
        #expect(report.dryRun)
        let lines = report.followUp?.lines ?? []
        return (result.exitCode, lines.map { "\($0.mark) \($0.text.components(separatedBy: "   (").first ?? $0.text)" }, report.followUp?.failed ?? false)
    }

    @Test func stepsFollowWhatBlkidFindsOnEachNodesDisk() async throws {
        try await LabFixture.with("skdr", example: "xen-drbd") { lab in
            let spec = try lab.directory.write("drbd.yaml", String(contentsOfFile: lab.labSpec, encoding: .utf8).replacingOccurrences(of: "disk: /dev/vdb", with: "disk: \(Self.disk)"))
            for host in ["hv1", "hv2"] {
                let made = try await lab.exec(host, ["sh", "-c", "mount -t tmpfs -o size=80m tmpfs /dev/shm && truncate -s 64M \(Self.disk)"])
                #expect(made.exitCode == 0, "\(host): \(made.stderr)")
            }

            // Two empty disks: metadata and up on both, the initial sync from hv1 only, then hv2 Primary.
            let fresh = try await dryRun(lab, spec)
            #expect(fresh.exit == 0 && fresh.steps == [
                "→ hv1: drbdadm create-md --force r0", "→ hv1: drbdadm up r0",
                "→ hv2: drbdadm create-md --force r0", "→ hv2: drbdadm up r0",
                "→ hv1: drbdadm primary --force r0", "→ hv2: drbdadm primary r0",
            ], "\(fresh.steps)")

            // A real ext4 on hv2's disk: refused, named; --force shows the overwrite.
            #expect(try await lab.exec("hv2", ["mkfs.ext4", "-q", "-F", Self.disk]).exitCode == 0)
            let refused = try await dryRun(lab, spec)
            #expect(refused.exit == 1 && refused.failed && refused.steps.contains { $0.hasPrefix("✗ r0: refused on hv2: \(Self.disk) holds ext4 data (blkid)") }, "\(refused.steps)")
            let forced = try await dryRun(lab, spec, ["--force"])
            #expect(forced.exit == 0 && forced.steps.contains("→ hv2: drbdadm create-md --force r0"), "\(forced.steps)")

            // Real DRBD metadata on hv1's disk (drbdmeta, userspace): kept, only `up`; no forced sync.
            let meta = try await lab.exec("hv1", ["drbdmeta", "--force", "/dev/drbd0", "v08", Self.disk, "internal", "create-md"])
            #expect(meta.exitCode == 0, "drbdmeta: \(meta.stdout)\(meta.stderr)")
            #expect(try await lab.exec("hv2", ["truncate", "-s", "0", Self.disk]).exitCode == 0)
            #expect(try await lab.exec("hv2", ["truncate", "-s", "64M", Self.disk]).exitCode == 0)
            let kept = try await dryRun(lab, spec)
            #expect(kept.exit == 0 && kept.steps == ["→ hv1: drbdadm up r0", "→ hv2: drbdadm create-md --force r0", "→ hv2: drbdadm up r0", "→ hv1: drbdadm primary r0", "→ hv2: drbdadm primary r0"], "\(kept.steps)")

            // A dry run wrote nothing; the real run writes the files, then says what is missing.
            #expect(try await lab.exec("hv1", ["test", "-e", "/etc/drbd.d/r0.res"]).exitCode != 0, "dry run wrote nothing")
            if try await SubprocessRunner().run(Command("modinfo", ["drbd"])).exitCode != 0 {
                let real = try await lab.storagekit(["setup", "drbd", "--spec", spec])
                #expect(real.exitCode == 1 && real.stdout.contains("the drbd kernel module is not available"), "\(real.stdout)\(real.stderr)")
                let res = try await lab.exec("hv2", ["cat", "/etc/drbd.d/r0.res"])
                #expect(res.stdout.contains("7900") && res.stdout.contains(Self.disk), "\(res.stdout)")
                let conf = try await lab.exec("hv1", ["cat", "/etc/modprobe.d/drbd.conf"])
                #expect(conf.stdout.contains("disable_sendpage=1"), "\(conf.stdout)")
            }
        }
    }
}
