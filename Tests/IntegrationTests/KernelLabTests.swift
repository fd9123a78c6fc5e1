import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// The kernel lab (examples/kernel-lab.yaml): hv1, hv2 and the knfsd server are qemu guests
/// with Debian's kernel, reached over ssh; the san is a namespace with tgtd. What the
/// namespace lab can only show on recorded outputs happens here for real: pinned knfsd ports,
/// kernel iSCSI sessions on two portals, multipath maps, NFS mounts at the same path, and
/// `check` judging those facts, including three faults.
@Suite(.serialized, .tags(.kernelLab), .needsLab) struct KernelLabTests {
    func ok(_ result: CommandResult, _ what: String) {
        #expect(result.exitCode == 0, "\(what): exit \(result.exitCode.map(String.init) ?? "signal")\n\(result.stdout)\(result.stderr)")
    }

    func check(_ lab: LabFixture) async throws -> (exitCode: Int32?, report: CheckReport) {
        let result = try await lab.storagekit(["check", "--spec", lab.labSpec, "--json", "--timeout", "30"], timeout: .seconds(90))
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
        return (result.exitCode, report)
    }

    func expectReady(_ lab: LabFixture, _ when: String) async throws {
        let (exitCode, report) = try await check(lab)
        #expect(exitCode == 0 && report.ready, "\(when): \(report.findings.filter { $0.status == .fail })")
        for id in [CheckID.iscsiSession, .iscsiMultipath, .pathMountSame, .pathMountOptions] {
            #expect(report.findings.contains { $0.check == id && $0.status == .pass }, "\(when): \(id) passes")
            #expect(!report.findings.contains { $0.check == id && $0.status == .skip }, "\(when): \(id) is not skipped on real kernels")
        }
    }

    func expectNotReady(_ lab: LabFixture, _ id: CheckID, host: String, _ when: String) async throws {
        let (exitCode, report) = try await check(lab)
        let failed = report.findings.filter { $0.status == .fail }
        #expect(exitCode == 1 && !report.ready, "\(when): NOT READY expected")
        #expect(failed.contains { $0.check == id && $0.hosts.contains(host) && !($0.fix ?? "").isEmpty },
                "\(when): \(id.rawValue) on \(host) with a fix; failed: \(failed.map { "\($0.check) \($0.hosts): \($0.message)" })")
    }

    /// The knfsd guest's firewall (iptables in its own kernel): hv1 reaches the NFS ports from
    /// its storage address; from an address outside the storage networks (lab only, routed for
    /// this test) the same ports are dropped while ssh, which storagekit leaves alone, answers.
    func expectFirewallLetsTheNetworkInAndKeepsOthersOut(_ lab: LabFixture) async throws {
        for port in [111, 2049, 892, 662, 32803] {
            #expect(try await lab.connect(from: "hv1", to: "10.98.1.9", port: port) == "open", "hv1 → nfs:\(port)")
        }
        let device = "$(ip -o route get 10.98.1.9 | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')"
        ok(try await lab.exec("nfs", ["sh", "-c", "ip route add 10.95.0.0/24 dev \(device.replacingOccurrences(of: "10.98.1.9", with: "10.98.1.11"))"]), "route back to the outsider")
        ok(try await lab.exec("hv1", ["sh", "-c", "ip addr add 10.95.0.11/32 dev \(device) && ip route add 10.98.1.9/32 dev \(device) src 10.95.0.11"]), "outside source on hv1")
        #expect(try await lab.connect(from: "hv1", to: "10.98.1.9", port: 22) == "open", "ssh from outside the network is not storagekit's to drop")
        for port in [111, 2049, 892] {
            #expect(try await lab.connect(from: "hv1", to: "10.98.1.9", port: port) == "timeout", "outside → nfs:\(port) dropped")
        }
        ok(try await lab.exec("hv1", ["sh", "-c", "ip route del 10.98.1.9/32 && ip addr del 10.95.0.11/32 dev \(device)"]), "outside source removed")
        #expect(try await lab.connect(from: "hv1", to: "10.98.1.9", port: 2049) == "open", "hv1 → nfs:2049 again")
    }

    @Test func knfsdISCSIMultipathMountAndCheckOnRealKernels() async throws {
        try await LabFixture.with("skkl", example: "kernel-lab", kernel: true) { lab in
            let spec = try SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec
            let nfs = try #require(spec.nfs)

            // 1. knfsd in its guest, ports pinned by storagekit's nfs.conf.
            ok(try await lab.storagekit(["setup", "iscsi-target", "--spec", lab.labSpec]), "setup iscsi-target")
            ok(try await lab.storagekit(["setup", "nfs", "--spec", lab.labSpec], timeout: .seconds(300)), "setup nfs (knfsd)")
            let rpcinfo = try await lab.exec("hv1", ["rpcinfo", "-p", "10.98.1.9"])
            let rows = try RpcinfoParser.parse(rpcinfo.stdout)
            for (service, proto, port) in [("mountd", "tcp", nfs.ports.mountd), ("mountd", "udp", nfs.ports.mountd), ("status", "tcp", nfs.ports.statd),
                                           ("nlockmgr", "tcp", nfs.ports.lockd), ("nlockmgr", "udp", nfs.ports.lockdUdp)] {
                #expect(RpcinfoParser.ports(of: service, in: rows, proto: proto) == [port], "\(service)/\(proto) at \(port): \(rpcinfo.stdout)")
            }
            let showmount = try await lab.exec("hv1", ["showmount", "-e", "10.98.1.9"])
            #expect(showmount.stdout.contains("/export/vmstore 10.98.1.12,10.98.1.11") || showmount.stdout.contains("/export/vmstore 10.98.1.11,10.98.1.12"), "showmount: \(showmount.stdout)")
            try await expectFirewallLetsTheNetworkInAndKeepsOthersOut(lab)

            // 2. Kernel sessions, one per portal, on both guests; a second run changes nothing.
            ok(try await lab.storagekit(["iscsi", "login", "--spec", lab.labSpec], timeout: .seconds(300)), "iscsi login")
            for host in ["hv1", "hv2"] {
                let sessions = try await lab.exec(host, ["iscsiadm", "-m", "session"])
                #expect(sessions.stdout.split(separator: "\n").count == 2 && sessions.stdout.contains("10.98.1.5:3260") && sessions.stdout.contains("10.98.2.5:3260"), "\(host): \(sessions.stdout)")
                let detail = try await lab.exec(host, ["iscsiadm", "-m", "session", "-P", "3"])
                #expect(detail.stdout.components(separatedBy: "Iface Initiatorname: \(spec.initiatorName(of: try #require(spec.host(named: host))))").count == 3, "\(host) logs in under its own name")
            }
            let again = try await lab.storagekit(["iscsi", "login", "--spec", lab.labSpec, "--json"], timeout: .seconds(300))
            ok(again, "second iscsi login")
            #expect(!again.stdout.contains("logged in to") && !again.stdout.contains("\"wrote"), "second run changes nothing: \(again.stdout)")

            // 3. Maps named by the spec, one path per portal, WWIDs as rendered before any login.
            ok(try await lab.storagekit(["multipath", "setup", "--spec", lab.labSpec], timeout: .seconds(300)), "multipath setup")
            let target = try #require(spec.iscsi?.targets.first)
            try await lab.expectMapsOfTwoPaths(on: ["hv1", "hv2"], of: target, spec: spec)

            // 4. The same export at the same path on both; bytes written by one read by the other.
            ok(try await lab.storagekit(["mount", "--spec", lab.labSpec], timeout: .seconds(300)), "mount")
            var sources: [String] = []
            for host in ["hv1", "hv2"] {
                let findmnt = try await lab.exec(host, ["findmnt", "--json", "--mountpoint", spec.mountPath])
                let mount = try #require(try FindmntParser.parse(findmnt.stdout).first, "\(host): \(findmnt.stdout)")
                #expect(mount.fstype == "nfs" && mount.options.contains("vers=3") && mount.options.contains("hard"), "\(host): \(mount)")
                sources.append("\(mount.source) \(mount.fstype)")
            }
            #expect(sources.count == 2 && sources[0] == sources[1], "\(sources)")
            let written = try await lab.exec("hv1", ["sh", "-c", "head -c 1048576 /dev/urandom > $0/from-hv1.bin && sha256sum < $0/from-hv1.bin", spec.mountPath])
            let read = try await lab.exec("hv2", ["sh", "-c", "sha256sum < $0/from-hv1.bin", spec.mountPath])
            #expect(!written.stdout.isEmpty && written.stdout == read.stdout, "hv1 wrote \(written.stdout), hv2 read \(read.stdout)")

            // 5. check judges the real facts; three faults, each undone.
            try await expectReady(lab, "after setup")

            // deploy into a guest over its ssh: its own /usr/local, this machine's untouched.
            if let release = try await ReleaseBuild.require() {
                let build = try #require(try ELFImage.read(path: release).buildID)
                let deployed = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", release, "--host", "hv1"], timeout: .seconds(600))
                #expect(deployed.exitCode == 0 && deployed.stdout.contains("1 installed"), "deploy to a guest: \(deployed.stdout)\(deployed.stderr)")
                #expect(try await lab.exec("hv1", [StorageKitInstall.defaultPath, "build-info", "--json"]).stdout.contains(build), "the guest runs this build")
                #expect(!FileManager.default.fileExists(atPath: StorageKitInstall.defaultPath), "this machine's /usr/local is untouched")
                let again = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", release, "--host", "hv1"], timeout: .seconds(120))
                #expect(again.exitCode == 0 && again.stdout.contains("0 installed, 1 up to date"), "\(again.stdout)\(again.stderr)")
            }
            ok(try await lab.exec("hv2", ["iscsiadm", "-m", "node", "-T", target.iqn, "-p", "10.98.2.5:3260", "--logout"]), "logout of one portal on hv2")
            try await expectNotReady(lab, .iscsiSession, host: "hv2", "one portal logged out on hv2")
            ok(try await lab.storagekit(["iscsi", "login", "--spec", lab.labSpec, "--host", "hv2"], timeout: .seconds(300)), "login again")
            try await expectReady(lab, "after login again")

            ok(try await lab.exec("hv1", ["umount", spec.mountPath]), "umount on hv1")
            try await expectNotReady(lab, .pathMountSame, host: "hv1", "mountPath unmounted on hv1")
            ok(try await lab.storagekit(["mount", "--spec", lab.labSpec, "--host", "hv1"], timeout: .seconds(300)), "mount again")
            try await expectReady(lab, "after mount again")

            // The same export with nolock on hv2: its image locks no longer protect anything.
            ok(try await lab.exec("hv2", ["sh", "-c", "umount $0 && mount -t nfs -o vers=3,hard,nolock 10.98.1.9:/export/vmstore $0", spec.mountPath]), "hv2 remounted with nolock")
            try await expectNotReady(lab, .pathMountOptions, host: "hv2", "hv2 mounted with nolock")
            ok(try await lab.exec("hv2", ["umount", spec.mountPath]), "umount nolock on hv2")
            ok(try await lab.storagekit(["mount", "--spec", lab.labSpec, "--host", "hv2"], timeout: .seconds(300)), "mount again on hv2")
            try await expectReady(lab, "after hv2 mounted with the spec's options")

            let moved = try lab.directory.write("mountd-moved.yaml", String(contentsOfFile: lab.labSpec, encoding: .utf8)
                .replacingOccurrences(of: "  implementation: kernel\n", with: "  implementation: kernel\n  ports: {mountd: 20048}\n"))
            ok(try await lab.storagekit(["setup", "nfs", "--spec", moved], timeout: .seconds(300)), "mountd moved to 20048")
            try await expectNotReady(lab, .nfsPortRegistered, host: "hv1", "mountd off its pinned port")
            ok(try await lab.storagekit(["setup", "nfs", "--spec", lab.labSpec], timeout: .seconds(300)), "mountd back")
            try await expectReady(lab, "after mountd back")

            // Logout removes exactly the spec's sessions.
            ok(try await lab.exec("hv1", ["umount", spec.mountPath]), "umount before logout")
            ok(try await lab.exec("hv1", ["multipath", "-F"]), "flush maps before logout")
            ok(try await lab.storagekit(["iscsi", "logout", "--spec", lab.labSpec, "--host", "hv1"], timeout: .seconds(300)), "iscsi logout")
            let none = try await lab.exec("hv1", ["iscsiadm", "-m", "session"])
            #expect(none.exitCode == 21, "no session left on hv1: \(none.stdout)\(none.stderr)")
        }
    }
}
