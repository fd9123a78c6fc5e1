import Foundation
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// knfsd cannot run on this machine (no kernel NFS server): its setup sequence is proved here,
/// command by command, and for real in the kernel lab.
@Suite struct KnfsdSetupSequenceTests {
    /// A host that answers like a fresh systemd server with no storagekit files yet (GNU stat's
    /// and systemctl's real exit codes and messages). `nfsconfComplains`: nfsconf's real
    /// complaint (it exits 0 and says so on stderr); `active`: units `systemctl is-active`
    /// reports active.
    static func freshServer(_ host: String, nfsconfComplains: Bool = false, active: Set<String> = []) -> ScriptedTransport {
        ScriptedTransport(host: host) { command in
            let argv = [command.executable] + command.arguments
            func result(_ code: Int32, _ stdout: String = "", _ stderr: String = "") -> CommandResult {
                CommandResult(command: command, exitCode: code, stdout: stdout, stderr: stderr)
            }
            switch argv[0] {
            case "stat": return result(1, "", "stat: cannot statx '\(argv.last ?? "")': No such file or directory\n")
            case "test" where argv == ["test", "-d", "/run/systemd/system"]: return result(0)
            case "test": return result(1)
            case "nfsconf" where nfsconfComplains: return result(0, "", "nfsconf: config error at \(argv[2]):3: unknown section\n")
            case "systemctl" where argv[1] == "is-active": return result(argv.contains { active.contains($0) } ? 0 : 3)
            case "iptables" where argv[1] == "-S": return result(1, "", "iptables: No chain/target/match by that name.\n")
            case "iptables" where argv[1] == "-C": return result(1, "", "iptables: Bad rule (does a matching rule exist in that chain?).\n")
            case "firewall-cmd" where argv[1] == "--state": return result(252, "not running\n")
            case "systemctl" where argv[1] == "is-enabled": return result(1, "disabled\n")
            case "nft": return result(1, "", "Error: No such file or directory\nlist table inet storagekit\n                 ^^^^^^^^^^\n")
            case "iptables-save": return result(0, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n")
            default: return result(0)
            }
        }
    }

    @Test func filesFirstThenRpcbindStatdNfsServerLockdPortsAndExportfs() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml"))
        let nfs = try #require(spec.nfs)
        #expect(nfs.implementation == .kernel)
        let server = try #require(spec.host(named: nfs.server))
        let transport = Self.freshServer(server.name)
        let context = HostContext(host: server, osFamily: spec.osFamily(of: server), transport: transport, services: SystemdServiceManager(transport: transport))

        let plan = try await HostPlanner(spec: spec, context: context, secrets: [:], parts: [.nfsServer, .firewall]).plan()
        #expect(plan.actions.map(\.kind).filter { $0 != "write-file" } == [
            "make-directory", "start-service", "start-service", "start-service", "command", "command", "firewall",
        ])
        let planned = transport.commands.count
        _ = try await Applier(context: context, secrets: [:], runID: "20261125T000000Z").apply(plan)
        let ran = transport.commands.dropFirst(planned).map { ([$0.executable] + $0.arguments).joined(separator: " ") }

        let written = plan.actions.compactMap { action -> String? in
            if case .writeFile(let path, _, _, _, _) = action.operation { return path } else { return nil }
        }
        #expect(Set(written).isSuperset(of: ["/etc/exports", "/etc/nfs.conf", "/etc/sysconfig/nfs", "/etc/modprobe.d/lockd.conf"]))
        let renames = ran.indices.filter { index in written.contains { ran[index].hasPrefix("mv -f -- ") && ran[index].hasSuffix(" \($0)") } }
        let firstService = try #require(ran.firstIndex { $0.hasPrefix("systemctl start") })
        #expect(renames.count == written.count)
        #expect(renames.allSatisfy { $0 < firstService }, "every file is in place before a daemon starts")
        let services = ran.filter { $0.hasPrefix("systemctl start") || $0.contains("sysctl") || $0.hasPrefix("exportfs") }
        #expect(services == [
            "systemctl start rpcbind", "systemctl start rpc-statd", "systemctl start nfs-server",
            // Only where lockd is loaded (/proc/sys/fs/nfs exists); rpc.nfsd also reads nfs.conf.
            "sh -c [ ! -d /proc/sys/fs/nfs ] || exec sysctl -w \"$@\" sysctl fs.nfs.nlm_tcpport=\(nfs.ports.lockd) fs.nfs.nlm_udpport=\(nfs.ports.lockdUdp)",
            "exportfs -ra",
        ])
        // nfs.conf was checked by nfsconf on the staged copy, before its rename.
        let check = try #require(ran.firstIndex { $0.hasPrefix("nfsconf --file /etc/.nfs.conf.storagekit-new --dump") })
        let rename = try #require(ran.firstIndex { $0 == "mv -f -- /etc/.nfs.conf.storagekit-new /etc/nfs.conf" })
        #expect(check < rename)
        // The firewall: storagekit's chain looked at (for the backup `rollback` restores),
        // saved, tested, loaded without flushing others, jumped to, persisted.
        let firewall = ran.filter { $0.hasPrefix("iptables") }
        #expect(firewall == [
            "iptables -S STORAGEKIT", "iptables-save", "iptables-restore --test --noflush", "iptables-restore --noflush",
            "iptables -C INPUT -j STORAGEKIT", "iptables -I INPUT 1 -j STORAGEKIT", "iptables-save",
        ])
        // Under the host's lock, released at the end.
        #expect(ran.first == "mkdir -p -- /run/storagekit")
        #expect(ran.last == "rm -rf -- /run/storagekit/apply.lock")
    }

    @Test func aFileItsToolRejectsIsNeverInstalledAndTheRunStopsThere() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml"))
        let server = try #require(spec.host(named: spec.nfs?.server ?? ""))
        let transport = Self.freshServer(server.name, nfsconfComplains: true)
        let context = HostContext(host: server, osFamily: spec.osFamily(of: server), transport: transport, services: SystemdServiceManager(transport: transport))
        let plan = try await HostPlanner(spec: spec, context: context, secrets: [:], parts: [.nfsServer]).plan()
        let planned = transport.commands.count
        await #expect(throws: SystemError.self) { try await Applier(context: context, secrets: [:]).apply(plan) }
        let ran = transport.commands.dropFirst(planned).map { ([$0.executable] + $0.arguments).joined(separator: " ") }
        #expect(!ran.contains("mv -f -- /etc/.nfs.conf.storagekit-new /etc/nfs.conf"))
        #expect(ran.contains("rm -f -- /etc/.nfs.conf.storagekit-new"), "the rejected candidate is removed")
        #expect(!ran.contains { $0.hasPrefix("systemctl start") }, "nothing after the failed action runs")
        #expect(ran.last == "rm -rf -- /run/storagekit/apply.lock", "the lock is released")
    }

    @Test func onSystemdTheFirewallRollbackIsATransientTimerAndNothingIsPersistedBeforeConfirm() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml"))
        let server = try #require(spec.host(named: spec.nfs?.server ?? ""))
        let transport = Self.freshServer(server.name)
        let context = HostContext(host: server, osFamily: spec.osFamily(of: server), transport: transport, services: SystemdServiceManager(transport: transport))
        let plan = try await HostPlanner(spec: spec, context: context, secrets: [:], parts: [.firewall]).plan()
        var applier = Applier(context: context, secrets: [:])
        applier.confirmFirewallWithin = .seconds(60)
        let planned = transport.commands.count
        _ = try await applier.apply(plan)
        let ran = transport.commands.dropFirst(planned).map { ([$0.executable] + $0.arguments).joined(separator: " ") }
        #expect(ran.contains(
            "systemd-run --unit=storagekit-firewall-rollback --on-active=60s --timer-property=AccuracySec=1s -- iptables-restore /var/lib/storagekit/firewall/before.rules"))
        #expect(ran.filter { $0 == "iptables-save" }.count == 1, "saved once (for the rollback), not persisted before confirm")
        #expect(!ran.contains { $0.contains("/etc/sysconfig/.iptables.storagekit-new") || ($0.hasPrefix("mv ") && $0.hasSuffix("/etc/sysconfig/iptables")) },
                "rhel's persisted rules untouched until confirm")
        #expect(ran.contains("test -e /etc/sysconfig/iptables"), "looked at for the backup")
    }
}

/// `apply` writes a hypervisor's initiator name; iscsid reads it only when it starts.
@Suite struct InitiatorNameRestartTests {
    func plan(active: Set<String>) async throws -> [String] {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/kernel-lab.yaml"))
        let host = try #require(spec.host(named: "hv1"))
        let transport = KnfsdSetupSequenceTests.freshServer(host.name, active: active)
        let context = HostContext(host: host, osFamily: spec.osFamily(of: host), transport: transport, services: SystemdServiceManager(transport: transport))
        return try await HostPlanner(spec: spec, context: context, secrets: [:], parts: [.hypervisor]).plan().actions.map(\.summary)
    }

    @Test func aRunningIscsidIsRestartedWhenItsNameChanges() async throws {
        let running = try await plan(active: ["iscsid"])
        #expect(running.contains { $0.hasPrefix("write /etc/iscsi/initiatorname.iscsi") || $0.contains("/etc/iscsi/initiatorname.iscsi") })
        #expect(running.last == "restart iscsid (it reads its initiator name only when it starts)", "\(running)")
        let stopped = try await plan(active: [])
        #expect(!stopped.contains { $0.hasPrefix("restart iscsid") }, "a stopped iscsid reads the new name when it starts")
    }
}
