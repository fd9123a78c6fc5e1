import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// DRBD dual-primary for real (examples/kernel-lab-drbd.yaml): hv1 and hv2 are qemu guests on
/// Debian's kernel, each with a 256 MiB sparse file as /dev/vda. `setup drbd` brings r0 up
/// Primary on both; data written on one is read back on the other; `check` judges the real
/// /proc/drbd, and names a disconnect and a filtered replication port (both a split brain in
/// dual primary) with the recovery as the fix; READY again after it.
@Suite(.serialized, .tags(.kernelLab), .needsLab) struct KernelDRBDTests {
    func ok(_ result: CommandResult, _ what: String) {
        #expect(result.exitCode == 0, "\(what): exit \(result.exitCode.map(String.init) ?? "signal")\n\(result.stdout)\(result.stderr)")
    }

    func check(_ lab: LabFixture) async throws -> (exitCode: Int32?, report: CheckReport) {
        let result = try await lab.storagekit(["check", "--spec", lab.labSpec, "--json", "--timeout", "30"], timeout: .seconds(90))
        return (result.exitCode, try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8)))
    }

    func expectReady(_ lab: LabFixture, _ when: String) async throws {
        let (exitCode, report) = try await check(lab)
        #expect(exitCode == 0 && report.ready, "\(when): \(report.findings.filter { $0.status == .fail }.map { "\($0.check) \($0.hosts) \($0.message)" })")
        for id in [CheckID.drbdState, .drbdConnected, .drbdRoles, .drbdUpToDate] {
            #expect(report.findings.contains { $0.check == id && $0.status == .pass } && !report.findings.contains { $0.check == id && $0.status == .skip }, "\(when): \(id) passes on real kernels")
        }
    }

    func expectNotReady(_ lab: LabFixture, host: String, _ when: String) async throws {
        let (exitCode, report) = try await check(lab)
        let failed = report.findings.filter { $0.status == .fail }
        #expect(exitCode == 1 && !report.ready, "\(when): NOT READY expected")
        #expect(failed.contains { $0.check == CheckID.drbdConnected && $0.hosts.contains(host) && ($0.fix ?? "").contains("drbdadm") },
                "\(when): drbd.connected on \(host) with a drbdadm fix; failed: \(failed.map { "\($0.check) \($0.hosts): \($0.message)" })")
    }

    func state(_ lab: LabFixture, _ host: String) async throws -> String {
        try await lab.exec(host, ["sed", "-n", "3p", "/proc/drbd"]).stdout
    }

    /// The split-brain recovery the check's fix names, hv2 the victim: both sides StandAlone
    /// first (a side still retrying would race the handshake), hv2 Secondary and discarding,
    /// hv1 reconnecting; then `setup drbd`, which makes hv2 Primary again once it is in sync.
    func recover(_ lab: LabFixture) async throws {
        for host in ["hv1", "hv2"] { _ = try await lab.exec(host, ["drbdadm", "disconnect", "r0"]) }
        try await waitUntil("both sides StandAlone", timeout: .seconds(30)) {
            let states = [try await state(lab, "hv1"), try await state(lab, "hv2")]
            return states.allSatisfy { $0.contains("cs:StandAlone") }
        }
        ok(try await lab.exec("hv2", ["sh", "-c", "drbdadm secondary r0 && drbdadm connect --discard-my-data r0"]), "hv2 discards its changes")
        ok(try await lab.exec("hv1", ["drbdadm", "connect", "r0"]), "hv1 reconnects")
        try await waitUntil("r0 connected again", timeout: .seconds(60)) {
            let line = try await state(lab, "hv1")
            return line.contains("cs:Connected") || line.contains("cs:Sync")
        }
        ok(try await lab.storagekit(["setup", "drbd", "--spec", lab.labSpec], timeout: .seconds(300)), "setup drbd after the recovery")
    }

    @Test func dualPrimaryOnRealKernelsWithDataCheckAndSplitBrainRecovery() async throws {
        try await LabFixture.with("skkd", example: "kernel-lab-drbd", kernel: true) { lab in
            let setup = try await lab.storagekit(["setup", "drbd", "--spec", lab.labSpec], timeout: .seconds(420))
            ok(setup, "setup drbd")
            #expect(setup.stdout.contains("hv1: drbdadm primary --force r0") && !setup.stdout.contains("hv2: drbdadm primary --force"), "the initial sync from hv1 only: \(setup.stdout)")
            for host in ["hv1", "hv2"] {
                let line = try await state(lab, host)
                #expect(line.contains("cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C"), "\(host): \(line)")
            }

            // Bytes written through hv1's /dev/drbd0 are on hv2's disk (protocol C).
            let written = try await lab.exec("hv1", ["sh", "-c", "head -c 1048576 /dev/urandom > /tmp/block && dd if=/tmp/block of=/dev/drbd0 bs=1M count=1 oflag=direct status=none && sha256sum < /tmp/block"])
            let read = try await lab.exec("hv2", ["sh", "-c", "dd if=/dev/drbd0 bs=1M count=1 iflag=direct status=none | sha256sum"])
            #expect(written.exitCode == 0 && !written.stdout.isEmpty && written.stdout == read.stdout, "hv1 wrote \(written.stdout), hv2 read \(read.stdout)")

            // The replication port is open to the peer only: from the control namespace (on
            // the same network) a connection to it is dropped, not refused.
            let rules = try await lab.exec("hv1", ["iptables", "-S", "STORAGEKIT"])
            #expect(rules.stdout.contains("-s 10.98.4.12/32 -p tcp -m tcp --dport 7900"), "\(rules.stdout)")
            let outsider = try await SubprocessRunner().run(Command("ip", ["netns", "exec", "sk-skkd-ctl", "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/10.98.4.11/7900"]))
            #expect(outsider.exitCode == 124, "from the control namespace: \(outsider.exitCode.map(String.init) ?? "-") \(outsider.stderr)")

            // A second run changes nothing and never writes metadata again.
            let again = try await lab.storagekit(["setup", "drbd", "--spec", lab.labSpec], timeout: .seconds(300))
            ok(again, "second setup drbd")
            #expect(again.stdout.contains("up to date, 0 changes") && !again.stdout.contains("create-md") && !again.stdout.contains("primary"), "\(again.stdout)")
            #expect(try await lab.exec("hv2", ["dd", "if=/dev/drbd0", "bs=1M", "count=1", "iflag=direct", "status=none"]).exitCode == 0)
            let kept = try await lab.exec("hv2", ["sh", "-c", "dd if=/dev/drbd0 bs=1M count=1 iflag=direct status=none | sha256sum"])
            #expect(kept.stdout == written.stdout, "the data survived the second run")

            for host in ["hv1", "hv2"] { ok(try await lab.exec(host, ["mkdir", "-p", "/var/lib/xen/images"]), "mountPath on \(host)") }
            try await expectReady(lab, "after setup drbd")

            // Fault 1: hv2 disconnects (StandAlone); both Primary, so reconnecting is a split brain.
            ok(try await lab.exec("hv2", ["drbdadm", "disconnect", "r0"]), "disconnect on hv2")
            try await expectNotReady(lab, host: "hv2", "hv2 disconnected")
            try await recover(lab)
            try await expectReady(lab, "after the recovery")

            // Fault 2: the replication port filtered on hv2, until DRBD notices (≤ 60 s).
            ok(try await lab.exec("hv2", ["sh", "-c", "iptables -I INPUT 1 -p tcp --dport 7900 -j DROP && iptables -I INPUT 1 -p tcp --sport 7900 -j DROP"]), "filter 7900 on hv2")
            try await waitUntil("DRBD notices the filtered port", timeout: .seconds(60)) { !(try await state(lab, "hv2")).contains("cs:Connected") }
            try await expectNotReady(lab, host: "hv2", "replication port filtered")
            ok(try await lab.exec("hv2", ["sh", "-c", "iptables -D INPUT -p tcp --dport 7900 -j DROP && iptables -D INPUT -p tcp --sport 7900 -j DROP"]), "unfilter 7900 on hv2")
            try await recover(lab)
            try await expectReady(lab, "after the port is open and the split brain resolved")
        }
    }
}
