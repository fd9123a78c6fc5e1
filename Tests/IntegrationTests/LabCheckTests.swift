import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// `storagekit check` on the lab: READY after the setup commands; then each fault, one at a
/// time, gives NOT READY with the right check id and a fix, within the timeout, and READY
/// again once it is undone.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabCheckTests {
    static let timeout = 4.0

    struct Fault {
        var name: String
        var inject: (LabFixture) async throws -> Void
        var undo: (LabFixture) async throws -> Void
        /// The failing check it must produce, and a host it must name ("" for any).
        var check: CheckID
        var host: String
    }

    func check(_ lab: LabFixture) async throws -> (exitCode: Int32?, report: CheckReport, seconds: Double) {
        let started = ContinuousClock.now
        let result = try await lab.onLab(["check"], ["--json", "--timeout", String(Self.timeout)])
        let elapsed = ContinuousClock.now - started
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
        return (result.exitCode, report, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// A libvirt domain definition with one disk (cache none) and perhaps a CD-ROM.
    static func domain(disk: String, cdrom: String?, machine: String = "q35", cpu: String? = nil) -> String {
        """
        <domain type='kvm'>
          <name>web</name>
          <os><type arch='x86_64' machine='\(machine)'>hvm</type></os>
        \(cpu.map { "  <cpu mode='\($0)'/>\n" } ?? "")
          <devices>
            <disk type='file' device='disk'><driver name='qemu' cache='none'/><source file='\(disk)'/><target dev='vda' bus='virtio'/></disk>
        \(cdrom.map { "    <disk type='file' device='cdrom'><source file='\($0)'/><target dev='sda' bus='sata'/><readonly/></disk>\n" } ?? "")  </devices>
        </domain>

        """
    }

    func run(_ lab: LabFixture, _ argv: [String], on host: String) async throws {
        let result = try await lab.exec(host, argv)
        #expect(result.exitCode == 0, "\(argv.joined(separator: " ")) on \(host): \(result.stderr)")
    }

    /// The lab spec with `edit` applied, in the lab's directory.
    func edited(_ lab: LabFixture, _ name: String, _ edit: (String) -> String) throws -> String {
        let text = edit(try String(contentsOfFile: lab.labSpec, encoding: .utf8))
        return try lab.directory.write(name, text)
    }

    func setup(_ lab: LabFixture, _ what: String, spec: String? = nil) async throws {
        let result = try await lab.storagekit(["setup", what, "--spec", spec ?? lab.labSpec])
        #expect(result.exitCode == 0, "setup \(what): \(result.stdout)\(result.stderr)")
    }

    func kill(_ lab: LabFixture, host: String, service: String) throws {
        let file = "/run/storagekit/lab/\(lab.cluster)/services/\(host)/\(service).pid"
        let pid = try #require(Int32(String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Glibc.kill(pid, SIGKILL) == 0, "kill \(service) (\(pid))")
        for _ in 0..<50 where Glibc.kill(pid, 0) == 0 { usleep(20_000) }
    }

    /// SIGSTOP/SIGCONT of a lab daemon: frozen, its sockets still accept connections (the
    /// kernel completes the handshake) but nothing ever answers.
    func freeze(_ lab: LabFixture, host: String, service: String, _ frozen: Bool) throws {
        let file = "/run/storagekit/lab/\(lab.cluster)/services/\(host)/\(service).pid"
        let pid = try #require(Int32(String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Glibc.kill(pid, frozen ? SIGSTOP : SIGCONT) == 0, "\(frozen ? "STOP" : "CONT") \(service) (\(pid))")
    }

    @Test func readyAfterSetupThenEachFaultNamesItsCheckAndFix() async throws {
        try await LabFixture.with("skck") { lab in
            try await setup(lab, "iscsi-target")
            try await setup(lab, "nfs")
            let apply = try await lab.onLab(["apply"])
            #expect(apply.exitCode == 0, "apply: \(apply.stdout)\(apply.stderr)")

            let first = try await check(lab)
            #expect(first.exitCode == 0 && first.report.ready, "after setup: \(first.report.findings.filter { $0.status == .fail })")
            // The lab has no kernel clients: those facts are skipped, never passed.
            #expect(first.report.findings.contains { $0.check == .iscsiSession && $0.status == .skip })
            #expect(first.report.findings.contains { $0.check == .nfsCanaryShared && $0.status == .pass && Set($0.hosts) == ["hv1", "hv2"] })
            #expect(first.report.findings.contains { $0.check == .iscsiLUNIdentity && $0.status == .pass })
            // The canaries were removed by their writers: nothing of check's is left on the export.
            let left = try await lab.exec("nfs", ["ls", "-A", "/srv/vmstore"])
            #expect(left.exitCode == 0 && !left.stdout.contains(".storagekit-check-"), "left on the export: \(left.stdout)")

            let spec = try SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec
            let target = try #require(spec.iscsi?.targets.first)
            let serials = target.luns.map { spec.identity(of: target, $0).serial }
            let movedMountd = try edited(lab, "mountd-moved.yaml") { $0.replacingOccurrences(of: "  implementation: ganesha\n", with: "  implementation: ganesha\n  ports: {mountd: 20048}\n") }
            let withoutHv2 = try edited(lab, "without-hv2.yaml") { $0.replacingOccurrences(of: "clients: [10.99.1.11, 10.99.1.12]", with: "clients: [10.99.1.11]") }

            let faults: [Fault] = [
                Fault(name: "ganesha's mountd moved off its pinned port", inject: { try await setup($0, "nfs", spec: movedMountd) },
                      undo: { try await setup($0, "nfs") }, check: .nfsPortRegistered, host: "hv1"),
                Fault(name: "iptables DROP for 892 on nfs", inject: { try await run($0, ["iptables", "-I", "INPUT", "-p", "tcp", "--dport", "892", "-j", "DROP"], on: "nfs") },
                      undo: { try await run($0, ["iptables", "-D", "INPUT", "-p", "tcp", "--dport", "892", "-j", "DROP"], on: "nfs") }, check: .nfsPortReachable, host: "hv2"),
                Fault(name: "iptables DROP for one portal", inject: { try await run($0, ["iptables", "-I", "INPUT", "-d", "10.99.2.5", "-p", "tcp", "--dport", "3260", "-j", "DROP"], on: "san") },
                      undo: { try await run($0, ["iptables", "-D", "INPUT", "-d", "10.99.2.5", "-p", "tcp", "--dport", "3260", "-j", "DROP"], on: "san") },
                      check: .iscsiPortalReachable, host: "hv1"),
                Fault(name: "the same serial on two LUNs", inject: { lab in
                    for lun in ["1", "2"] {
                        try await run(lab, ["tgtadm", "--lld", "iscsi", "--mode", "logicalunit", "--op", "update", "--tid", "1", "--lun", lun, "--params", "scsi_sn=\(serials[0])"], on: "san")
                    }
                }, undo: { try await setup($0, "iscsi-target") }, check: .iscsiLUNUnique, host: "hv2"),
                Fault(name: "hv2 removed from the ACL", inject: { lab in
                    for address in ["10.99.1.12", "10.99.2.12"] {
                        try await run(lab, ["tgtadm", "--lld", "iscsi", "--mode", "target", "--op", "unbind", "--tid", "1", "--initiator-address", address], on: "san")
                    }
                }, undo: { try await setup($0, "iscsi-target") }, check: .iscsiLoginAccepted, host: "hv2"),
                Fault(name: "hv2's export access removed", inject: { try await setup($0, "nfs", spec: withoutHv2) },
                      undo: { try await setup($0, "nfs") }, check: .nfsExportMount, host: "hv2"),
                Fault(name: "tgtd killed", inject: { try kill($0, host: "san", service: "tgtd") },
                      undo: { try await setup($0, "iscsi-target") }, check: .iscsiPortalReachable, host: "hv1"),
                Fault(name: "ganesha killed", inject: { try kill($0, host: "nfs", service: "ganesha") },
                      undo: { try await setup($0, "nfs") }, check: .nfsPortReachable, host: "hv1"),
                Fault(name: "tgtd frozen (SIGSTOP)", inject: { try freeze($0, host: "san", service: "tgtd", true) },
                      undo: { try freeze($0, host: "san", service: "tgtd", false) }, check: .iscsiLoginAccepted, host: "hv1"),
                Fault(name: "ganesha frozen (SIGSTOP)", inject: { try freeze($0, host: "nfs", service: "ganesha", true) },
                      undo: { try freeze($0, host: "nfs", service: "ganesha", false) }, check: .nfsExportVisible, host: "hv1"),
                Fault(name: "hv2's namespace does not answer", inject: { try await run($0, ["iptables", "-I", "INPUT", "1", "-j", "DROP"], on: "hv2") },
                      undo: { try await run($0, ["iptables", "-D", "INPUT", "-j", "DROP"], on: "hv2") }, check: .iscsiPortalReachable, host: "hv2"),
                // Another point release on hv2, in its own /etc (the symbolic link into the shared
                // /usr is replaced in hv2's layer only, never written through).
                Fault(name: "hv2 runs another VERSION_ID", inject: {
                    try await run($0, ["sh", "-c", "v=$(sed -n 's/^VERSION_ID=//p' /usr/lib/os-release | tr -d '\"'); rm -f /etc/os-release && sed \"s/^VERSION_ID=.*/VERSION_ID=\\\"$v.99\\\"/\" /usr/lib/os-release > /etc/os-release"], on: "hv2")
                }, undo: { try await run($0, ["sh", "-c", "rm -f /etc/os-release && ln -s ../usr/lib/os-release /etc/os-release"], on: "hv2") }, check: .migrationOS, host: "hv2"),
                // A guest defined on hv1 (libvirt's definition in its own /etc/libvirt/qemu) whose
                // disk is shared but whose install medium, then whose base image, is not.
                Fault(name: "a guest on hv1 with a CD-ROM outside mountPath", inject: {
                    try await run($0, ["sh", "-c", "truncate -s 16M /var/lib/vmstore/web.img && mkdir -p /etc/libvirt/qemu && printf %s \"$0\" > /etc/libvirt/qemu/web.xml",
                                       Self.domain(disk: "/var/lib/vmstore/web.img", cdrom: "/var/lib/libvirt/images/install.iso")], on: "hv1")
                }, undo: { try await run($0, ["rm", "/etc/libvirt/qemu/web.xml"], on: "hv1") }, check: .migrationFilesShared, host: "hv1"),
                Fault(name: "a guest on hv1 whose disk's backing file is outside mountPath", inject: {
                    try await run($0, ["sh", "-c", "mkdir -p /var/lib/libvirt/images && qemu-img create -q -f qcow2 /var/lib/libvirt/images/base.qcow2 16M && qemu-img create -q -f qcow2 -b /var/lib/libvirt/images/base.qcow2 -F qcow2 /var/lib/vmstore/web.qcow2 && printf %s \"$0\" > /etc/libvirt/qemu/web.xml",
                                       Self.domain(disk: "/var/lib/vmstore/web.qcow2", cdrom: nil)], on: "hv1")
                }, undo: { try await run($0, ["rm", "/etc/libvirt/qemu/web.xml"], on: "hv1") }, check: .migrationFilesShared, host: "hv1"),
                Fault(name: "the migration range's last port dropped on hv2", inject: { try await run($0, ["iptables", "-I", "INPUT", "-p", "tcp", "--dport", "49215", "-j", "DROP"], on: "hv2") },
                      undo: { try await run($0, ["iptables", "-D", "INPUT", "-p", "tcp", "--dport", "49215", "-j", "DROP"], on: "hv2") }, check: .migrationPort, host: "hv2"),
                Fault(name: "libvirt's migration ports widened past the firewall's on hv1", inject: {
                    try await run($0, ["sh", "-c", "mkdir -p /etc/libvirt && printf '# storagekit test\\nmigration_port_min = 49152\\nmigration_port_max = 49300\\n' > /etc/libvirt/qemu.conf"], on: "hv1")
                }, undo: { try await run($0, ["rm", "/etc/libvirt/qemu.conf"], on: "hv1") }, check: .migrationPortRange, host: "hv1"),
                // Debian's installer line: the host name on loopback, above the lab's own line.
                Fault(name: "hv2's host name resolves to 127.0.1.1", inject: { try await run($0, ["sed", "-i", "1i 127.0.1.1 hv2", "/etc/hosts"], on: "hv2") },
                      undo: { try await run($0, ["sed", "-i", "/^127.0.1.1 hv2$/d", "/etc/hosts"], on: "hv2") }, check: .migrationAddress, host: "hv2"),
                // hv2's CPU without sse2 (its own /proc/cpuinfo, bind-mounted in its mount
                // namespace as LXCFS does) and a host-passthrough guest on hv1.
                Fault(name: "a host-passthrough guest on hv1 and a flag missing on hv2", inject: { lab in
                    try await run(lab, ["sh", "-c", "sed '/^flags/ s/ sse2 / /' /proc/cpuinfo > /run/cpuinfo.lab && mount --bind /run/cpuinfo.lab /proc/cpuinfo"], on: "hv2")
                    try await run(lab, ["sh", "-c", "printf %s \"$0\" > /etc/libvirt/qemu/web.xml", Self.domain(disk: "/var/lib/vmstore/web.img", cdrom: nil, cpu: "host-passthrough")], on: "hv1")
                }, undo: { lab in
                    try await run(lab, ["umount", "/proc/cpuinfo"], on: "hv2")
                    try await run(lab, ["rm", "/etc/libvirt/qemu/web.xml"], on: "hv1")
                }, check: .migrationGuestCPU, host: "hv1"),
                Fault(name: "a guest on hv1 with a machine type no QEMU here offers", inject: {
                    try await run($0, ["sh", "-c", "printf %s \"$0\" > /etc/libvirt/qemu/web.xml", Self.domain(disk: "/var/lib/vmstore/web.img", cdrom: nil, machine: "pc-q35-99.0")], on: "hv1")
                }, undo: { try await run($0, ["rm", "/etc/libvirt/qemu/web.xml"], on: "hv1") }, check: .migrationGuestMachine, host: "hv1"),
            ]
            for fault in faults {
                try await fault.inject(lab)
                let broken = try await check(lab)
                let failures = broken.report.findings.filter { $0.status == .fail }
                #expect(broken.exitCode == 1 && !broken.report.ready, "\(fault.name): still READY")
                let named = failures.first { $0.check == fault.check && (fault.host.isEmpty || $0.hosts.contains(fault.host)) }
                #expect(named != nil, "\(fault.name): no failing \(fault.check.rawValue) for \(fault.host); failures: \(failures.map { "\($0.check) \($0.hosts) \($0.message)" })")
                #expect(named?.fix?.isEmpty == false, "\(fault.name): no fix")
                #expect(broken.seconds < Self.timeout + 5, "\(fault.name): check took \(broken.seconds) s")
                try await fault.undo(lab)
                let again = try await check(lab)
                #expect(again.exitCode == 0 && again.report.ready, "\(fault.name) undone: \(again.report.findings.filter { $0.status == .fail }.map { "\($0.check) \($0.hosts) \($0.message)" })")
            }

            // An async export is a trade-off, not a fault: READY, with a warning naming the server.
            let async = try edited(lab, "async.yaml") { $0.replacingOccurrences(of: "options: [rw, sync,", with: "options: [rw, async,") }
            let warned = try await lab.storagekit(["check", "--spec", async, "--json", "--timeout", String(Self.timeout)])
            let report = try JSONDecoder().decode(CheckReport.self, from: Data(warned.stdout.utf8))
            #expect(warned.exitCode == 0 && report.ready, "async export: \(report.findings.filter { $0.status == .fail })")
            #expect(report.findings.contains { $0.check == CheckID.nfsExportAsync && $0.status == .warn && $0.hosts == ["nfs"] }, "async export warns")

            // A guest with a snapshot: libvirt refuses to move it, but it may be meant to stay: a warning.
            try await run(lab, ["sh", "-c", "printf %s \"$0\" > /etc/libvirt/qemu/web.xml && mkdir -p /var/lib/libvirt/qemu/snapshot/web && echo '<domainsnapshot><name>s1</name></domainsnapshot>' > /var/lib/libvirt/qemu/snapshot/web/s1.xml",
                                Self.domain(disk: "/var/lib/vmstore/web.img", cdrom: nil)], on: "hv1")
            let snapshot = try await check(lab)
            #expect(snapshot.exitCode == 0 && snapshot.report.ready, "snapshot: \(snapshot.report.findings.filter { $0.status == .fail })")
            #expect(snapshot.report.findings.contains { $0.check == CheckID.migrationGuestBlockers && $0.status == .warn && $0.hosts == ["hv1"] && $0.message.contains("1 snapshot") },
                    "snapshot warns: \(snapshot.report.findings.filter { $0.check.rawValue.hasPrefix("migration.guest") })")
        }
    }
}
