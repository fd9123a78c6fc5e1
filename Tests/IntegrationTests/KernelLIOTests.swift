import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// The kernel lab with LIO (examples/kernel-lab-lio.yaml): the san is a qemu guest whose own
/// kernel serves the target (two portals, CHAP, two LUNs, ACL of hv1 and hv2); hv1, hv2 and hv3
/// are guests with kernel initiators and multipath; nfs-ganesha runs in a namespace.
@Suite(.serialized, .tags(.kernelLab), .needsLab) struct KernelLIOTests {
    func ok(_ result: CommandResult, _ what: String) {
        #expect(result.exitCode == 0, "\(what): exit \(result.exitCode.map(String.init) ?? "signal")\n\(result.stdout)\(result.stderr)")
    }

    /// `plan --json` of the san: the number of planned actions and the conflicts.
    func sanPlan(_ lab: LabFixture, spec: String) async throws -> (actions: Int, conflicts: [String]) {
        let result = try await lab.storagekit(["plan", "--spec", spec, "--host", "san", "--json"], timeout: .seconds(120))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "plan: \(result.stdout)\(result.stderr)")
        let host = try #require((json["hosts"] as? [[String: Any]])?.first)
        return ((host["actions"] as? [Any])?.count ?? -1, host["conflicts"] as? [String] ?? [])
    }

    @Test func aLIOTargetGuestServesHV1AndHV2ThroughBothPortalsAndRefusesHV3() async throws {
        try await LabFixture.with("skkllio", example: "kernel-lab-lio", kernel: true) { lab in
            let spec = try SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec
            let target = try #require(spec.iscsi?.targets.first)
            #expect(target.implementation == .lio)

            // 1. The target made through configfs, read back; a second run changes nothing.
            let setup = try await lab.storagekit(["setup", "iscsi-target", "--spec", lab.labSpec], timeout: .seconds(300))
            ok(setup, "setup iscsi-target")
            #expect(setup.stdout.contains("enable TPG 1 of \(target.iqn)") && setup.stdout.contains("verified on san") && !setup.stdout.contains("✗"), "\(setup.stdout)")
            let again = try await sanPlan(lab, spec: lab.labSpec)
            #expect(again.actions == 0 && again.conflicts.isEmpty, "a second setup would change \(again.actions) thing(s)")
            ok(try await lab.storagekit(["setup", "iscsi-target", "--spec", lab.labSpec], timeout: .seconds(300)), "second setup iscsi-target")
            ok(try await lab.storagekit(["setup", "nfs", "--spec", lab.labSpec], timeout: .seconds(300)), "setup nfs")

            // 2. Two kernel sessions on each of hv1 and hv2.
            ok(try await lab.storagekit(["iscsi", "login", "--spec", lab.labSpec], timeout: .seconds(300)), "iscsi login")
            for host in ["hv1", "hv2"] {
                let sessions = try await lab.exec(host, ["iscsiadm", "-m", "session"])
                #expect(sessions.stdout.split(separator: "\n").count == 2 && sessions.stdout.contains("10.94.1.5:3260") && sessions.stdout.contains("10.94.2.5:3260"),
                        "\(host): \(sessions.stdout)")
            }

            // 3. Maps with two paths whose WWID (scsi_id, from LIO's serial) is the one rendered.
            ok(try await lab.storagekit(["multipath", "setup", "--spec", lab.labSpec], timeout: .seconds(300)), "multipath setup")
            try await lab.expectMapsOfTwoPaths(on: ["hv1", "hv2"], of: target, spec: spec)

            // 4. The same source at the same path on both.
            ok(try await lab.storagekit(["mount", "--spec", lab.labSpec], timeout: .seconds(300)), "mount")
            var sources: [String] = []
            for host in ["hv1", "hv2"] {
                let findmnt = try await lab.exec(host, ["findmnt", "--json", "--mountpoint", spec.mountPath])
                let mount = try #require(try FindmntParser.parse(findmnt.stdout).first, "\(host): \(findmnt.stdout)")
                sources.append("\(mount.source) \(mount.fstype)")
            }
            #expect(sources.count == 2 && sources[0] == sources[1], "\(sources)")

            // 5. check READY, its kernel facts judged, not skipped.
            let checked = try await lab.storagekit(["check", "--spec", lab.labSpec, "--json", "--timeout", "30"], timeout: .seconds(120))
            let report = try JSONDecoder().decode(CheckReport.self, from: Data(checked.stdout.utf8))
            #expect(checked.exitCode == 0 && report.ready, "\(report.findings.filter { $0.status == .fail })")
            for id in [CheckID.iscsiSession, .iscsiMultipath, .iscsiLUNIdentity, .pathMountSame] {
                #expect(report.findings.contains { $0.check == id && $0.status == .pass }, "\(id) passes")
                #expect(!report.findings.contains { $0.check == id && $0.status == .skip }, "\(id) is not skipped on real kernels")
            }

            // 6. A LUN that logged-in initiators use is not removed without --force.
            let fewer = try lab.directory.write("one-lun.yaml", String(contentsOfFile: lab.labSpec, encoding: .utf8)
                .replacingOccurrences(of: "        - {lun: 2, backingStore: /srv/iscsi/vmstore2.img, size: 128M}\n", with: ""))
            let refused = try await lab.storagekit(["setup", "iscsi-target", "--spec", fewer], timeout: .seconds(300))
            #expect(refused.exitCode != 0, "removing LUN 2 under hv1 and hv2: \(refused.stdout)")
            #expect((refused.stdout + refused.stderr).contains("LUN 2 is removed while"), "\(refused.stdout)\(refused.stderr)")
            for host in ["hv1", "hv2"] {
                #expect((refused.stdout + refused.stderr).contains(spec.initiatorName(of: try #require(spec.host(named: host)))), "names \(host)")
            }
            let after = try await sanPlan(lab, spec: lab.labSpec)
            #expect(after.actions == 0, "the refusal changed nothing")
            for host in ["hv1", "hv2"] {
                #expect(try await lab.exec(host, ["iscsiadm", "-m", "session"]).stdout.split(separator: "\n").count == 2, "\(host) still has both sessions")
            }

            // 7. hv3, outside the ACL, is refused at login: by libiscsi and by its kernel.
            let hv3 = spec.initiatorName(of: try #require(spec.host(named: "hv3")))
            let probe = try await lab.exec("hv3", [RenderCommandTests.binary, "probe", "iscsi", "--portal", "10.94.1.5", "--initiator-name", hv3, "--json"])
            #expect(probe.exitCode == 1 && probe.stdout.contains("\"not-in-acl\""), "\(probe.stdout)\(probe.stderr)")
            _ = try await lab.exec("hv3", ["iscsiadm", "-m", "discovery", "-t", "st", "-p", "10.94.1.5:3260"])
            let login = try await lab.exec("hv3", ["iscsiadm", "-m", "node", "-T", target.iqn, "-p", "10.94.1.5:3260", "--login"], timeout: .seconds(60))
            #expect(login.exitCode == 24, "iscsiadm on hv3: authorization failure expected: \(login.stdout)\(login.stderr)")
        }
    }
}
