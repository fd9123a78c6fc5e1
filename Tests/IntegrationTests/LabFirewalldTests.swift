import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real firewalld (1.3, nftables backend) in a lab hypervisor, with its own D-Bus system bus:
/// starting it empties the iptables-nft filter table (storagekit's chain with it), its zone
/// closes the migration ports, and
/// `check` says both (the probes, and `host.firewall`); `backend: auto` then picks firewalld and
/// says why, storagekit's policy opens exactly the ports, survives `firewall-cmd --reload`, a
/// second apply changes nothing, an unconfirmed apply goes back by itself (killed at once, too),
/// and a move to nftables takes the policy out of firewalld.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabFirewalldTests {
    func check(_ lab: LabFixture) async throws -> CheckReport {
        let result = try await lab.onLab(["check"], ["--json", "--timeout", "10"])
        return try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
    }

    /// Starts D-Bus and firewalld in `host`; their pids, for the test to end them.
    func startFirewalld(_ lab: LabFixture, on host: String) async throws -> [Int32] {
        let dbus = try await lab.exec(host, ["sh", "-c", "mkdir -p /run/dbus && exec dbus-daemon --system --fork --print-pid"])
        let dbusPid = try #require(Int32(dbus.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "dbus-daemon: \(dbus.stdout)\(dbus.stderr)")
        let firewalld = try await lab.exec(host, ["sh", "-c", "setsid firewalld --nofork --nopid --log-target console </dev/null >/run/firewalld.log 2>&1 & echo $!"])
        let firewalldPid = try #require(Int32(firewalld.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "firewalld: \(firewalld.stdout)\(firewalld.stderr)")
        try await waitUntil("firewalld runs", timeout: .seconds(30)) { try await lab.exec(host, ["firewall-cmd", "--state"]).exitCode == 0 }
        return [firewalldPid, dbusPid]
    }

    /// Running, not a zombie waiting for a parent that is gone (they were started detached).
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    /// SIGTERM, then SIGKILL if it has not ended within 10 s (firewalld may wait on polkit,
    /// which D-Bus started for its first `firewall-cmd`).
    func stop(_ pids: [Int32]) async throws {
        for pid in pids {
            for (signal, seconds) in [(SIGTERM, 10), (SIGKILL, 5)] where Self.alive(pid) {
                _ = Glibc.kill(pid, signal)
                let deadline = ContinuousClock.now + .seconds(seconds)
                while Self.alive(pid) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(!Self.alive(pid), "process \(pid) still runs")
        }
    }

    @Test func autoPicksFirewalldAndItsPolicyOpensThePortsAcrossAReload() async throws {
        try await LabFixture.with("skfd") { lab in
            for what in ["iscsi-target", "nfs"] {
                let setup = try await lab.storagekit(["setup", what, "--spec", lab.labSpec])
                #expect(setup.exitCode == 0, "setup \(what): \(setup.stdout)\(setup.stderr)")
            }
            #expect(try await lab.onLab(["apply"]).exitCode == 0)
            #expect(try await check(lab).ready, "ready before firewalld")

            let pids = try await startFirewalld(lab, on: "hv1")
            do {
                let closed = try await check(lab)
                #expect(!closed.ready, "firewalld's zone closes the migration ports storagekit's chain accepts")
                #expect(closed.findings.contains { $0.status == .fail && $0.check == CheckID.migrationPort && $0.hosts == ["hv1"] },
                        "\(closed.findings.filter { $0.status == .fail })")
                let warned = closed.findings.first { $0.check == CheckID.hostFirewall && $0.hosts == ["hv1"] }
                #expect(warned?.status == .warn && warned?.message.contains("firewalld runs, but storagekit's rules are in") == true, "\(String(describing: warned))")
                #expect(warned?.fix?.contains("storagekit firewall apply --host hv1") == true)

                let plan = try await lab.onLab(["firewall", "apply"], ["--host", "hv1", "--dry-run"])
                #expect(plan.stdout.contains("firewall backend: firewalld (firewalld is running)"), "\(plan.stdout)")
                #expect(plan.stdout.contains("write firewalld policy storagekit"), "\(plan.stdout)")
                let apply = try await lab.onLab(["firewall", "apply"], ["--host", "hv1", "--confirm-within", "0"])
                #expect(apply.exitCode == 0, "\(apply.stdout)\(apply.stderr)")
                #expect(try await lab.exec("hv1", ["iptables", "-S", "STORAGEKIT"]).exitCode != 0, "storagekit's iptables chain is gone once the policy is kept")
                let policy = try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"])
                #expect(policy.stdout.contains("rule family=\"ipv4\" source address=\"10.99.1.0/24\" port port=\"49152-49215\" protocol=\"tcp\" accept"), "\(policy.stdout)")
                let open = try await check(lab)
                #expect(open.ready, "\(open.findings.filter { $0.status == .fail })")
                let kept = open.findings.first { $0.check == CheckID.hostFirewall && $0.hosts.contains("hv1") }
                #expect(kept?.status == .pass && kept?.message.contains("firewalld, the firewall it runs") == true, "\(String(describing: kept))")

                #expect(try await lab.exec("hv1", ["firewall-cmd", "--reload"]).exitCode == 0)
                #expect(try await check(lab).ready, "the policy is permanent: a reload keeps it")
                let again = try await lab.onLab(["firewall", "apply"], ["--host", "hv1", "--json"])
                #expect(again.exitCode == 0 && again.stdout.contains("\"changes\" : 0"), "a second apply changes nothing: \(again.stdout)")

                // Unconfirmed: the policy file as it was (none) comes back and firewalld reloads,
                // so the zone closes the ports again; confirm then says so loudly.
                #expect(try await lab.exec("hv1", ["sh", "-c", "rm /etc/firewalld/policies/storagekit.xml && firewall-cmd --reload"]).exitCode == 0)
                // A window wide enough that firewall-cmd (a Python program) can look before the
                // timer fires when the whole suite shares two cores; 3 s was not.
                let timed = try await lab.onLab(["firewall", "apply"], ["--host", "hv1", "--confirm-within", "12"])
                #expect(timed.exitCode == 0, "\(timed.stdout)\(timed.stderr)")
                #expect(try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"]).exitCode == 0, "loaded")
                try await waitUntil("firewalld runs without storagekit's policy again", timeout: .seconds(45)) {
                    try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"]).exitCode != 0
                }
                let late = try await lab.onLab(["firewall", "confirm"], ["--host", "hv1"])
                #expect(late.exitCode == 1 && late.stderr.contains("NOT confirmed") && late.stderr.contains("before-firewalld.xml"), "\(late.stdout)\(late.stderr)")

                // Killed the instant firewalld has reloaded with the new policy: the timer, armed
                // before the reload, still puts the old configuration (no policy) back.
                let killed = try await lab.onLab(["firewall", "apply"], ["--host", "hv1", "--confirm-within", "12"],
                                                 environment: [FaultPoint.variable: FaultPoint.firewallLoaded.rawValue])
                #expect(killed.signal == 9 || killed.exitCode == 137, "killed at the fault point: \(killed.stderr)")
                #expect(try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"]).exitCode == 0, "the policy was live when it died")
                try await waitUntil("firewalld runs without storagekit's policy after the kill", timeout: .seconds(45)) {
                    try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"]).exitCode != 0
                }

                // Moved to nftables on a firewalld host: the table is loaded, and the policy file
                // is gone from firewalld (reloaded without it).
                #expect(try await lab.onLab(["firewall", "apply"], ["--host", "hv1", "--confirm-within", "0"]).exitCode == 0)
                let nftSpec = try lab.directory.write("nftables.yaml", String(contentsOfFile: lab.labSpec, encoding: .utf8)
                    .replacingOccurrences(of: "firewall: {manage: true}", with: "firewall: {manage: true, backend: nftables}"))
                let moved = try await lab.storagekit(["firewall", "apply", "--spec", nftSpec, "--host", "hv1", "--confirm-within", "0"])
                #expect(moved.exitCode == 0, "\(moved.stdout)\(moved.stderr)")
                #expect(try await lab.exec("hv1", ["nft", "list", "table", "inet", "storagekit"]).exitCode == 0, "the table is loaded")
                #expect(try await lab.exec("hv1", ["test", "-e", "/etc/firewalld/policies/storagekit.xml"]).exitCode != 0, "the policy file is gone")
                #expect(try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"]).exitCode != 0, "firewalld runs without it")

                // `rollback` of that move: the policy file is back and firewalld runs it, and the
                // table is gone.
                let rollback = try await lab.onLab(["rollback"], ["--host", "hv1"])
                #expect(rollback.exitCode == 0 && rollback.stdout.contains("restore /etc/firewalld/policies/storagekit.xml"), "\(rollback.stdout)\(rollback.stderr)")
                #expect(try await lab.exec("hv1", ["firewall-cmd", "--info-policy=storagekit"]).exitCode == 0, "firewalld runs the policy again")
                #expect(try await lab.exec("hv1", ["nft", "list", "table", "inet", "storagekit"]).exitCode != 0, "the table is gone")
                #expect(try await check(lab).ready, "the policy opens the ports again")
            } catch {
                try await stop(pids)
                throw error
            }
            try await stop(pids)
        }
    }
}
