import Foundation
import StorageCheck
import StorageFacts
import StorageSystem
import StorageTestSupport
import Testing

/// `rehearse` in the namespace lab: qemu runs in each hypervisor's namespaces and migrates over
/// the lab network through the hosts' firewalls. The hosts share this machine's file system, so
/// the canary's disk is in a directory they all see: this proves qemu, the migration port and
/// the firewall (and says so), not the shared storage (the kernel lab does).
@Suite(.serialized, .tags(.lab), .needsLab) struct LabRehearseTests {
    struct Rehearsed: Decodable {
        var ready: Bool
        var findings: [Finding]
        var rehearsals: [RehearsalResult]
    }

    func rehearse(_ lab: LabFixture, _ arguments: [String]) async throws -> (CommandResult, Rehearsed) {
        let result = try await lab.storagekit(["rehearse", "--spec", lab.labSpec, "--json"] + arguments, timeout: .seconds(120))
        return (result, try JSONDecoder().decode(Rehearsed.self, from: Data(result.stdout.utf8)))
    }

    /// Canary qemu processes of this lab (zombies aside), its images, its run directories.
    func leftovers(_ lab: LabFixture) async throws -> [String] {
        let shared = "/var/tmp/storagekit-lab/\(lab.cluster)/rehearse"
        let processes = try await SubprocessRunner().run(Command("ps", ["-eo", "stat=,args="]))
        var left = processes.stdout.split(separator: "\n").filter { $0.contains(shared) && !$0.hasPrefix("Z") }.map(String.init)
        left += ((try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? []).map { "\(shared)/\($0)" }
        for host in ["hv1", "hv2", "hv3"] {
            let directories = try await lab.exec(host, ["sh", "-c", "ls -A /run/storagekit/canary 2>/dev/null"])
            left += directories.stdout.split(separator: "\n").map { "\(host):/run/storagekit/canary/\($0)" }
        }
        return left
    }

    @Test func aCanaryMigratesOverTheLabNetworkAndAFilteredPortFailsLikeCheckSays() async throws {
        try await LabFixture.with("skrn") { lab in
            let (result, ring) = try await rehearse(lab, [])
            #expect(result.exitCode == 0 && ring.ready, "\(result.stderr)\(ring.findings.filter { $0.status == .fail })")
            let passed = ring.rehearsals.filter(\.passed)
            // hv3 is no client of the export and in no target's ACL: each storage's ring is hv1 ⇄ hv2.
            #expect(passed.map { "\($0.pair.source)>\($0.pair.destination)" } == ["hv1>hv2", "hv2>hv1"])
            #expect(passed.allSatisfy { $0.diskStandIn == "/var/tmp/storagekit-lab/skrn/rehearse" && $0.destinationStatus == "running" && $0.account?.hasPrefix("libvirt-qemu (64055:") == true })
            #expect(ring.findings.filter { $0.status == .pass }.allSatisfy { $0.message.contains("its disk was in /var/tmp/storagekit-lab/skrn/rehearse, which both hosts share on one machine") }, "the lab says what it proves")
            let skipped = ring.rehearsals.filter { $0.skipped != nil }
            #expect(skipped.map(\.pair.storage.path).sorted() == ["/dev/mapper/vmstore-1", "/dev/mapper/vmstore-1", "/dev/mapper/vmstore-2", "/dev/mapper/vmstore-2"], "no device-mapper in a namespace: skip, never pass")
            #expect(try await leftovers(lab).isEmpty)

            // --live: the canary's firmware runs while it migrates, and runs on at the destination.
            let (liveRun, live) = try await rehearse(lab, ["--from", "hv2", "--to", "hv1", "--live"])
            #expect(liveRun.exitCode == 0 && live.rehearsals.filter(\.passed).map(\.destinationStatus) == ["running"], "\(live.findings.filter { $0.status == .fail })")
            #expect(try await leftovers(lab).isEmpty)

            // hv2 drops libvirt's migration range: check and rehearse both name hv2, with the firewall fix.
            let drop = ["iptables", "-I", "INPUT", "-p", "tcp", "--dport", "49152:49215", "-j", "DROP"]
            #expect(try await lab.exec("hv2", drop).exitCode == 0)
            let (failedRun, failed) = try await rehearse(lab, ["--from", "hv1", "--to", "hv2", "--timeout", "3"])
            let failure = failed.findings.first { $0.status == .fail }
            #expect(failedRun.exitCode == 1 && failure?.hosts == ["hv2"] && failure?.message.contains("got no answer") == true, "\(failed.findings)")
            #expect(failure?.fix?.contains("firewall apply --host hv2") == true)
            let checked = try await lab.storagekit(["check", "--spec", lab.labSpec, "--only", "migration", "--json", "--timeout", "5"])
            let report = try JSONDecoder().decode(CheckReport.self, from: Data(checked.stdout.utf8))
            #expect(report.findings.contains { $0.check == .migrationPort && $0.status == .fail && $0.hosts == ["hv2"] }, "check agrees: \(report.findings.filter { $0.status == .fail })")
            #expect(try await leftovers(lab).isEmpty)

            // Ctrl-C while the migration waits on the dropped port: nothing is left behind.
            let interrupted = Process()
            interrupted.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            interrupted.arguments = [RenderCommandTests.binary, "rehearse", "--spec", lab.labSpec, "--from", "hv1", "--to", "hv2", "--timeout", "60"]
            interrupted.standardOutput = FileHandle.nullDevice
            interrupted.standardError = FileHandle.nullDevice
            try interrupted.run()
            var migrating = false
            for _ in 0..<300 where !migrating {
                let processes = try await SubprocessRunner().run(Command("ps", ["-eo", "args="]))
                migrating = processes.stdout.split(separator: "\n").contains { $0.contains("/var/tmp/storagekit-lab/skrn/rehearse") && $0.contains("-incoming") }
                if !migrating { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(migrating, "the destination's canary started")
            kill(-interrupted.processIdentifier, SIGINT)
            interrupted.waitUntilExit()
            var left = try await leftovers(lab)
            for _ in 0..<100 where !left.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                left = try await leftovers(lab)
            }
            #expect(left.isEmpty, "after Ctrl-C: \(left)")
            #expect(try await lab.exec("hv2", ["iptables", "-D"] + drop.dropFirst(2)).exitCode == 0)
        }
    }

    @Test func badUsageAndXenExitTwoSayingWhy() async throws {
        let runner = SubprocessRunner()
        let lone = try await runner.run(Command(RenderCommandTests.binary, ["rehearse", "--spec", "examples/lab.yaml", "--from", "hv1"]))
        #expect(lone.exitCode == 2 && lone.stderr.contains("give --from and --to together"))
        let xen = try await runner.run(Command(RenderCommandTests.binary, ["rehearse", "--spec", RealTool.packageRoot.appendingPathComponent("examples/xen-drbd.yaml").path]))
        #expect(xen.exitCode == 2 && xen.stderr.contains("xl migrate") && xen.stderr.contains("storagekit check"), "\(xen.stderr)")
        let stranger = try await runner.run(Command(RenderCommandTests.binary, ["rehearse", "--spec", RealTool.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml").path, "--host", "nosuch"]))
        #expect(stranger.exitCode == 2 && stranger.stderr.contains("no host named \"nosuch\""), "\(stranger.stderr)")
    }
}
