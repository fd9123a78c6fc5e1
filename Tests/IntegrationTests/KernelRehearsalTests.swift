import Foundation
import StorageCheck
import StorageFacts
import StorageSystem
import StorageTestSupport
import Testing

/// A real migration is the judge (examples/kernel-lab-rehearse.yaml: hv1, hv2, hv3 and the
/// knfsd server are qemu guests with Debian's kernel; an NFS mount at mountPath and a multipath
/// device on every hypervisor). `rehearse` must pass for every pair over both and leave nothing
/// behind; then, fault by fault, `check` and `rehearse` must agree (check NOT READY ⇔ a
/// rehearsal fails) and name the same host. Where they disagree, check is wrong.
@Suite(.serialized, .tags(.kernelLab), .needsLab) struct KernelRehearsalTests {
    struct Fault {
        let name: String
        /// The host both must name.
        let host: String
        /// Commands on lab hosts; host "storagekit": a storagekit command on the lab spec.
        let inject: [(host: String, argv: [String])]
        let undo: [(host: String, argv: [String])]
    }

    static let faults: [Fault] = [
        Fault(name: "mountPath unmounted on the destination", host: "hv2",
              inject: [("hv2", ["umount", "/var/lib/vmstore"])],
              undo: [("storagekit", ["mount", "--host", "hv2"])]),
        Fault(name: "a different export mounted there", host: "hv2",
              inject: [("nfs", ["sh", "-c", "mkdir -p /srv/other && chown 64055:107 /srv/other && exportfs -o rw,sync,root_squash,no_subtree_check,fsid=2 10.97.1.0/24:/srv/other"]),
                       ("hv2", ["sh", "-c", "umount /var/lib/vmstore && mount -t nfs -o vers=3,hard 10.97.1.9:/srv/other /var/lib/vmstore"])],
              undo: [("hv2", ["sh", "-c", "umount /var/lib/vmstore && mount -t nfs -o vers=3,hard 10.97.1.9:/srv/vmstore /var/lib/vmstore"]),
                     ("nfs", ["exportfs", "-u", "10.97.1.0/24:/srv/other"])]),
        Fault(name: "the migration port range filtered on the destination", host: "hv2",
              inject: [("hv2", ["iptables", "-I", "INPUT", "-p", "tcp", "--dport", "49152:49215", "-j", "DROP"])],
              undo: [("hv2", ["iptables", "-D", "INPUT", "-p", "tcp", "--dport", "49152:49215", "-j", "DROP"])]),
        Fault(name: "the export root not writable by qemu's uid under root_squash", host: "hv2",
              inject: [("nfs", ["chown", "0:0", "/srv/vmstore"])],
              undo: [("nfs", ["chown", "64055:107", "/srv/vmstore"])]),
        Fault(name: "the image directory 0700 root", host: "hv2",
              inject: [("nfs", ["sh", "-c", "chown 0:0 /srv/vmstore && chmod 0700 /srv/vmstore"])],
              undo: [("nfs", ["sh", "-c", "chmod 0755 /srv/vmstore && chown 64055:107 /srv/vmstore"])]),
        Fault(name: "the multipath map missing on the destination", host: "hv2",
              inject: [("hv2", ["multipath", "-f", "vmstore"])],
              undo: [("storagekit", ["multipath", "setup", "--host", "hv2"])]),
        Fault(name: "qemu's uid differs between hosts (the export group-writable)", host: "hv2",
              inject: [("hv2", ["usermod", "-u", "64056", "libvirt-qemu"]), ("nfs", ["chmod", "0775", "/srv/vmstore"])],
              undo: [("hv2", ["usermod", "-u", "64055", "libvirt-qemu"]), ("nfs", ["chmod", "0755", "/srv/vmstore"])]),
    ]

    struct Rehearsed: Decodable {
        var ready: Bool
        var findings: [Finding]
        var rehearsals: [RehearsalResult]
    }

    func ok(_ result: CommandResult, _ what: String) {
        #expect(result.exitCode == 0, "\(what): exit \(result.exitCode.map(String.init) ?? "signal")\n\(result.stdout)\(result.stderr)")
    }

    func check(_ lab: LabFixture) async throws -> CheckReport {
        let result = try await lab.storagekit(["check", "--spec", lab.labSpec, "--json", "--timeout", "30"], timeout: .seconds(120))
        return try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
    }

    func rehearse(_ lab: LabFixture, _ arguments: [String] = []) async throws -> (exitCode: Int32?, report: Rehearsed) {
        // Each step's deadline: a qemu inside a TCG guest on a loaded machine takes seconds to
        // start; a dropped migration port costs the whole of it.
        let result = try await lab.storagekit(["rehearse", "--spec", lab.labSpec, "--json", "--timeout", "30"] + arguments, timeout: .seconds(600))
        let report = try JSONDecoder().decode(Rehearsed.self, from: Data(result.stdout.utf8))
        #expect((result.exitCode == 0) == report.ready, "exit status and verdict agree")
        return (result.exitCode, report)
    }

    /// No canary qemu (zombies aside: a daemonized qemu's reaper is the guest's PID 1 shell),
    /// no run directory, no image on the export.
    func expectNothingLeft(_ lab: LabFixture, _ when: String) async throws {
        for host in ["hv1", "hv2", "hv3"] {
            let processes = try await lab.exec(host, ["ps", "-eo", "stat=,args="])
            let canaries = processes.stdout.split(separator: "\n").filter { $0.contains("storagekit-canary") && !$0.hasPrefix("Z") }
            #expect(canaries.isEmpty, "\(when): \(host) runs \(canaries)")
            let directories = try await lab.exec(host, ["sh", "-c", "ls -A /run/storagekit/canary 2>/dev/null"])
            #expect(directories.stdout.isEmpty, "\(when): \(host) keeps \(directories.stdout)")
        }
        let images = try await lab.exec("nfs", ["sh", "-c", "ls -A /srv/vmstore /srv/other 2>/dev/null | grep storagekit-canary || true"])
        #expect(images.stdout.isEmpty, "\(when): images left on the export: \(images.stdout)")
    }

    @Test func aCanaryMigratesBetweenRealKernelsAndCheckAgreesWithItOnEveryFault() async throws {
        try await LabFixture.with("skrh", example: "kernel-lab-rehearse", kernel: true) { lab in
            ok(try await lab.storagekit(["setup", "iscsi-target", "--spec", lab.labSpec]), "setup iscsi-target")
            ok(try await lab.storagekit(["setup", "nfs", "--spec", lab.labSpec], timeout: .seconds(300)), "setup nfs (knfsd)")
            ok(try await lab.storagekit(["iscsi", "login", "--spec", lab.labSpec], timeout: .seconds(300)), "iscsi login")
            ok(try await lab.storagekit(["multipath", "setup", "--spec", lab.labSpec], timeout: .seconds(300)), "multipath setup")
            ok(try await lab.storagekit(["mount", "--spec", lab.labSpec], timeout: .seconds(300)), "mount")
            // The export squashes root: qemu's account owns it, as an admin sets it up.
            ok(try await lab.exec("nfs", ["chown", "64055:107", "/srv/vmstore"]), "export owned by libvirt-qemu")

            // Every pair of the ring, over the NFS mount and the multipath device.
            let baseline = try await check(lab)
            #expect(baseline.ready, "check READY: \(baseline.findings.filter { $0.status == .fail })")
            let (_, ring) = try await rehearse(lab)
            #expect(ring.ready, "\(ring.findings.filter { $0.status != .pass })")
            let passed = Set(ring.rehearsals.filter(\.passed).map { "\($0.pair.source)>\($0.pair.destination) \($0.pair.storage.path)" })
            for (source, destination) in [("hv1", "hv2"), ("hv2", "hv3"), ("hv3", "hv1")] {
                for path in ["/var/lib/vmstore", "/dev/mapper/vmstore"] {
                    #expect(passed.contains("\(source)>\(destination) \(path)"), "\(source) → \(destination) on \(path): \(passed.sorted())")
                }
            }
            #expect(ring.rehearsals.allSatisfy { $0.destinationStatus == "running" && $0.skipped == nil && $0.diskStandIn == nil })
            try await expectNothingLeft(lab, "after the ring")

            // The ground-truth matrix.
            for fault in Self.faults {
                for (host, argv) in fault.inject { ok(try await lab.exec(host, argv), "\(fault.name): \(argv.joined(separator: " ")) on \(host)") }
                let checked = try await check(lab)
                let (_, rehearsed) = try await rehearse(lab, ["--host", fault.host])
                let checkFailures = checked.findings.filter { $0.status == .fail }
                let rehearseFailures = rehearsed.findings.filter { $0.status == .fail && $0.check == CheckID.rehearseMigration }
                #expect(!checked.ready && !rehearsed.ready, "\(fault.name): check \(checked.ready ? "READY" : "NOT READY"), rehearse \(rehearsed.ready ? "READY" : "NOT READY")")
                #expect(checkFailures.contains { $0.hosts.contains(fault.host) }, "\(fault.name): check names \(fault.host): \(checkFailures.map { "\($0.check) \($0.hosts)" })")
                #expect(rehearseFailures.contains { $0.hosts.contains(fault.host) }, "\(fault.name): rehearse names \(fault.host): \(rehearseFailures.map { "\($0.hosts) \($0.message)" })")
                #expect(rehearseFailures.allSatisfy { !($0.fix ?? "").isEmpty }, "\(fault.name): every failure has a fix")
                for (host, argv) in fault.undo {
                    let undone = host == "storagekit"
                        ? try await lab.storagekit(argv + ["--spec", lab.labSpec], timeout: .seconds(300))
                        : try await lab.exec(host, argv)
                    ok(undone, "\(fault.name): undo \(argv.joined(separator: " ")) on \(host)")
                }
                try await expectNothingLeft(lab, "after \(fault.name)")
            }
            let after = try await check(lab)
            #expect(after.ready, "READY again: \(after.findings.filter { $0.status == .fail })")
        }
    }
}
