import Foundation
import StorageFacts
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// The server side for real, in the namespace lab: real tgtd, real nfs-ganesha + rpcbind, real
/// iptables, reached from the hypervisor hosts with libiscsi/libnfs and the standard tools.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabServerTests {
    static let target = "iqn.2026-11.lab.san:vmstore"
    static let portals = ["10.99.1.5", "10.99.2.5"]

    @Test func iscsiTargetServesTheSpecSerialsThroughBothPortalsToTheACLOnly() async throws {
        try await LabFixture.with("skti") { lab in
            let setup = try await lab.onLab(["setup", "iscsi-target"])
            #expect(setup.exitCode == 0, "setup: \(setup.stdout)\(setup.stderr)")
            #expect(setup.stdout.contains("✓ iqn.2026-11.lab.san:vmstore LUN 1: serial"))
            let hv1 = "iqn.2026-11.storagekit.skti:hv1"
            let secret = try lab.secret()

            // The serial of each LUN, as the spec derives it, through both portals.
            let spec = try SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec
            let target = try #require(spec.iscsi?.targets.first)
            let serials = target.luns.map { (lun: $0.lun, serial: spec.identity(of: target, $0).serial) }
            #expect(serials.count == 2)
            for portal in Self.portals {
                for (lun, serial) in serials {
                    let inq = try await lab.exec("hv1", ["iscsi-inq", "-i", hv1, "-e", "1", "-c", "128", "iscsi://labuser%\(secret)@\(portal)/\(Self.target)/\(lun)"])
                    #expect(inq.exitCode == 0, "hv1 → \(portal) LUN \(lun): \(inq.stderr)")
                    #expect(inq.stdout.contains(serial), "hv1 → \(portal) LUN \(lun): \(inq.stdout)")
                }
            }
            // hv3 is not in the ACL; a wrong CHAP secret is refused.
            let hv3 = try await lab.exec("hv3", ["iscsi-inq", "-i", "iqn.2026-11.storagekit.skti:hv3", "-e", "1", "-c", "128", "iscsi://labuser%\(secret)@\(Self.portals[0])/\(Self.target)/1"])
            #expect(hv3.exitCode != 0 && hv3.stderr.contains("Target not found"), "hv3: \(hv3.stderr)")
            let wrong = try await lab.exec("hv1", ["iscsi-inq", "-i", hv1, "-e", "1", "-c", "128", "iscsi://labuser%not-the-secret@\(Self.portals[0])/\(Self.target)/1"])
            #expect(wrong.exitCode != 0 && wrong.stderr.contains("Authentication failure"), "wrong CHAP: \(wrong.stderr)")

            // A second setup changes nothing, file included.
            let before = try await lab.exec("san", ["stat", "-c", "%Y %i", "/etc/tgt/conf.d/skti.conf"])
            let again = try await lab.onLab(["setup", "iscsi-target"])
            #expect(again.exitCode == 0 && again.stdout.contains("up to date, 0 changes"), "second setup: \(again.stdout)")
            #expect(try await lab.exec("san", ["stat", "-c", "%Y %i", "/etc/tgt/conf.d/skti.conf"]).stdout == before.stdout)

            // Persisted for a tgtd restart: the conf.d file is what tgt-admin would load.
            // (tgt-admin -p skips targets the live tgtd has: read the file where no tgtd runs.)
            let conf = try lab.directory.write("skti.conf", try await lab.exec("san", ["cat", "/etc/tgt/conf.d/skti.conf"]).stdout)
            let persisted = try await lab.exec("hv2", ["tgt-admin", "-c", conf, "-e", "-p"])
            #expect(persisted.stdout.contains("Adding target: \(Self.target)") && persisted.stdout.contains("-I 10.99.2.12"), "tgt-admin -p: \(persisted.stdout)")
            for (_, serial) in serials { #expect(try String(contentsOfFile: conf, encoding: .utf8).contains("scsi_sn \(serial)")) }

            // Changing a serial while hv1 is logged in is refused, and names hv1.
            // iscsi-perf holds a session (bounded by `timeout 20`); ended by its pid below.
            let session = try DetachedProcess.spawn(
                [RenderCommandTests.binary, "lab", "exec", "--spec", lab.labSpec, "hv1", "--", "timeout", "-s", "KILL", "20", "iscsi-perf", "-i", hv1,
                 "iscsi://labuser%\(secret)@\(Self.portals[0])/\(Self.target)/1"],
                log: "\(lab.directory.path)/iscsi-perf.log")
            defer { Task { await DetachedProcess.stop(session) } }
            try await waitUntil("hv1 is logged in") {
                try await lab.exec("san", ["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout.contains("Initiator: \(hv1)")
            }
            let changed = try String(contentsOfFile: lab.labSpec, encoding: .utf8)
                .replacingOccurrences(of: "vmstore1.img, size: 256M}", with: "vmstore1.img, size: 256M, serial: SKNEWSERIAL001}")
            let changedSpec = try lab.directory.write("changed.yaml", changed)
            let refused = try await lab.storagekit(["setup", "iscsi-target", "--spec", changedSpec])
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("refusing to change targets in use") && refused.stderr.contains(hv1), "refusal: \(refused.stderr)")
            #expect(refused.stderr.contains("serial \(serials[0].serial) → SKNEWSERIAL001"))
            let unchanged = try await lab.exec("san", ["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "target"])
            #expect(unchanged.stdout.contains(serials[0].serial), "the refused change must not be made")

            // A restarted tgtd that loads the persisted file (as tgt.service does with
            // `tgt-admin -e`) is exactly what the spec wants: setup then has nothing to do.
            await DetachedProcess.stop(session)
            let services = try LabServiceManager(layout: LabLayout(spec: spec), host: "san")
            let tgtd = Services.tgtd(.debian)
            try await services.restart(tgtd)
            #expect(try await lab.exec("san", ["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout.isEmpty, "a fresh tgtd serves nothing")
            let load = try await lab.exec("san", ["tgt-admin", "-e", "-c", "/etc/tgt/conf.d/skti.conf"])
            #expect(load.exitCode == 0, "tgt-admin -e: \(load.stderr)")
            let reloaded = try await lab.onLab(["setup", "iscsi-target"])
            #expect(reloaded.exitCode == 0 && reloaded.stdout.contains("up to date, 0 changes"), "after a tgtd restart: \(reloaded.stdout)")
            let inq = try await lab.exec("hv1", ["iscsi-inq", "-i", hv1, "-e", "1", "-c", "128", "iscsi://labuser%\(secret)@\(Self.portals[1])/\(Self.target)/2"])
            #expect(inq.stdout.contains(serials[1].serial), "after a tgtd restart: \(inq.stdout)\(inq.stderr)")
        }
    }

    @Test func nfsServerPinsPortsExportsToItsClientsAndLibnfsWritesAndReads() async throws {
        try await LabFixture.with("sktn") { lab in
            let setup = try await lab.onLab(["setup", "nfs"])
            #expect(setup.exitCode == 0, "setup nfs: \(setup.stdout)\(setup.stderr)")
            #expect(setup.stdout.contains("✓ rpcbind (asked from hv1): mountd at 892/tcp"))

            let rpcinfo = try await lab.exec("hv1", ["rpcinfo", "-p", "10.99.1.9"])
            let rows = try RpcinfoParser.parse(rpcinfo.stdout)
            #expect(RpcinfoParser.ports(of: "mountd", in: rows) == [892])
            #expect(RpcinfoParser.ports(of: "nlockmgr", in: rows) == [32803])
            #expect(RpcinfoParser.ports(of: "rquotad", in: rows) == [875])
            #expect(RpcinfoParser.ports(of: "nfs", in: rows) == [2049])

            let showmount = try ShowmountParser.parse(try await lab.exec("hv1", ["showmount", "-e", "10.99.1.9"]).stdout)
            #expect(showmount.first?.path == "/srv/vmstore")

            // libnfs writes a file as hv1 and reads it back.
            let canary = "written by hv1 through libnfs \(UUID().uuidString)\n"
            let local = try lab.directory.write("canary.txt", canary)
            // New files wait for the end of ganesha's grace period (graceSeconds: 5 in the lab):
            // it answers NFS3ERR_JUKEBOX until then, which kernel clients retry and nfs-cp does not.
            // (A refused attempt may leave an empty file behind: each attempt has its own name.)
            var attempt = 0
            var copy: CommandResult?
            try await waitUntil("ganesha's grace period is over (nfs-cp gets no JUKEBOX)", timeout: .seconds(20), every: .milliseconds(250)) {
                attempt += 1
                copy = try await lab.exec("hv1", ["nfs-cp", local, "nfs://10.99.1.9/srv/vmstore/canary-\(attempt).txt"])
                return copy?.stderr.contains("JUKEBOX") == false
            }
            #expect(copy?.exitCode == 0, "nfs-cp: \(copy?.stderr ?? "")")
            let read = try await lab.exec("hv2", ["nfs-cat", "nfs://10.99.1.9/srv/vmstore/canary-\(attempt).txt"])
            #expect(read.stdout == canary, "hv2 reads what hv1 wrote: \(read.stdout)\(read.stderr)")

            // hv3 is not a client: no mount.
            let hv3 = try await lab.exec("hv3", ["nfs-ls", "nfs://10.99.1.9/srv/vmstore"])
            #expect(hv3.exitCode != 0, "hv3 must not mount: \(hv3.stdout)")

            let again = try await lab.onLab(["setup", "nfs"])
            #expect(again.exitCode == 0 && again.stdout.contains("up to date, 0 changes"), "second setup nfs: \(again.stdout)")
        }
    }

    @Test func firewallOpensTheStoragePortsAndRollsBackUnlessConfirmed() async throws {
        try await LabFixture.with("sktf") { lab in
            let setup = try await lab.onLab(["setup", "nfs"])
            #expect(setup.exitCode == 0, "setup nfs: \(setup.stdout)\(setup.stderr)")
            // Allowed and listening: connects. Allowed, nobody listening: refused at once, not dropped.
            for port in [111, 2049, 892, 32803, 875] {
                #expect(try await lab.connect(from: "hv1", to: "10.99.1.9", port: port) == "open", "hv1 → nfs:\(port)")
            }
            // From outside the storage networks, the same port is dropped: hv1 gets a source
            // address outside them (lab only) and its SYN goes unanswered.
            _ = try await lab.exec("nfs", ["ip", "route", "add", "10.95.0.0/24", "dev", "eth0"])
            _ = try await lab.exec("hv1", ["ip", "addr", "add", "10.95.0.11/32", "dev", "eth0"])
            let dropped = try await lab.exec("hv1", ["timeout", "3", "python3", "-c",
                "import socket,sys; s=socket.socket(); s.bind(('10.95.0.11',0)); s.settimeout(2)\ntry:\n s.connect(('10.99.1.9',2049)); print('open')\nexcept socket.timeout: print('timeout')\nexcept OSError as e: print('refused', e)"])
            #expect(dropped.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "timeout", "from outside the network: \(dropped.stdout)\(dropped.stderr)")

            // Without confirm, the old rules come back after the timeout.
            _ = try await lab.exec("nfs", ["iptables", "-F", "STORAGEKIT"])
            // The timer is armed before the rules go live, so its seconds include the apply's own
            // time: a few seconds, or a loaded CI machine sees the rollback before the rules.
            let applied = try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "6"])
            #expect(applied.exitCode == 0, "firewall apply: \(applied.stderr)")
            #expect(try await ruleCount(lab) > 10)
            try await waitUntil("the old rules are back", timeout: .seconds(20)) { try await ruleCount(lab) == 0 }
            let late = try await lab.onLab(["firewall", "confirm"], ["--host", "nfs"])
            #expect(late.exitCode == 1, "nothing left to confirm: \(late.stdout)")

            // With confirm, the new rules stay and are saved.
            let persistedBefore = try await lab.exec("nfs", ["cat", "/etc/iptables/rules.v4"])
            let again = try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "6"])
            #expect(again.exitCode == 0)
            let services = try LabServiceManager(layout: LabLayout(spec: SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec), host: "nfs")
            let timer = try #require(services.pid(FirewallApplier.rollbackTimer), "apply armed no rollback timer")
            let confirm = try await lab.onLab(["firewall", "confirm"], ["--host", "nfs"])
            #expect(confirm.exitCode == 0, "confirm: \(confirm.stdout)\(confirm.stderr)")
            // The timer's process itself gone, not merely late: nothing is left to restore the old rules.
            try await waitUntil("the rollback timer (pid \(timer)) has ended") { !DetachedProcess.isAlive(timer) }
            #expect(services.pid(FirewallApplier.rollbackTimer) == nil)
            #expect(try await ruleCount(lab) > 10)
            let saved = try await lab.exec("nfs", ["cat", "/etc/iptables/rules.v4"])
            #expect(saved.stdout.contains("-A INPUT -j STORAGEKIT") && saved.stdout.contains("--dport 892"))

            // `rollback` of that apply: the chain as it was (emptied by hand), live, and the
            // saved rules as they were.
            let rollback = try await lab.onLab(["rollback"], ["--host", "nfs"])
            #expect(rollback.exitCode == 0 && rollback.stdout.contains("load storagekit's iptables chain as it was (0 rules, INPUT jumping to it)"), "\(rollback.stdout)\(rollback.stderr)")
            #expect(try await ruleCount(lab) == 0)
            let restored = try await lab.exec("nfs", ["cat", "/etc/iptables/rules.v4"])
            #expect(restored.exitCode == persistedBefore.exitCode && restored.stdout == persistedBefore.stdout, "rules.v4 as it was")
        }
    }

    @Test func aCrashBetweenTwoActionsLeavesEveryFileOldOrNewAndARerunConverges() async throws {
        try await LabFixture.with("sktc") { lab in
            let paths = ["/etc/fstab", "/etc/iscsi/initiatorname.iscsi", "/etc/multipath.conf", "/etc/multipath/wwids", "/etc/systemd/system/var-lib-vmstore.mount"]
            var old: [String: String] = [:]
            for path in paths { old[path] = try await lab.exec("hv1", ["cat", path]).stdout }

            let crashed = try await lab.onLab(["apply"], ["--host", "hv1"], environment: [Applier.faultPointVariable: "2"])
            #expect(crashed.signal == 9 || crashed.exitCode == 137, "apply should have been killed: \(crashed.exitCode.map(String.init) ?? "-") \(crashed.stderr)")

            var middle: [String: String] = [:]
            for path in paths { middle[path] = try await lab.exec("hv1", ["cat", path]).stdout }
            let leftovers = try await lab.exec("hv1", ["find", "/etc", "-name", "*.storagekit-new"])
            #expect(leftovers.stdout.isEmpty, "no staged file left: \(leftovers.stdout)")

            // The rerun takes over the dead run's lock and finishes the job.
            let rerun = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(rerun.exitCode == 0, "rerun: \(rerun.stdout)\(rerun.stderr)")
            #expect(!rerun.stdout.contains("update /etc/fstab"), "fstab was written before the crash: \(rerun.stdout)")
            var new: [String: String] = [:]
            for path in paths { new[path] = try await lab.exec("hv1", ["cat", path]).stdout }
            // Each file at the crash: exactly as before or exactly as after, never in between.
            for path in paths {
                #expect(middle[path] == old[path] || middle[path] == new[path], "\(path) was half-written by the crash")
                #expect(new[path] != old[path], "\(path) converged")
            }
            #expect(paths.filter { middle[$0] == new[$0] }.count == 2, "exactly the two actions before the fault point were done")

            let third = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(third.stdout.contains("up to date, 0 changes"), "third apply: \(third.stdout)")

            // Rollback of the last run (the rerun's backup) puts its replaced files back and
            // removes those it created: the files are then as the crash left them.
            let rollback = try await lab.onLab(["rollback"], ["--host", "hv1"])
            #expect(rollback.exitCode == 0, "rollback: \(rollback.stdout)\(rollback.stderr)")
            for path in paths {
                let now = try await lab.exec("hv1", ["cat", path])
                #expect(now.stdout == middle[path] || (now.exitCode != 0 && (middle[path] ?? "").isEmpty), "\(path) after rollback")
            }
        }
    }

    private func ruleCount(_ lab: LabFixture) async throws -> Int {
        try await lab.exec("nfs", ["iptables", "-S", "STORAGEKIT"]).stdout.split(separator: "\n").filter { $0.hasPrefix("-A") }.count
    }
}
