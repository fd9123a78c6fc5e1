import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// `firewall.backend: nftables` for real in the namespace lab: storagekit's rules live in
/// `table inet storagekit` and nowhere in iptables, `check` judges through them, a second apply
/// changes nothing, an unconfirmed apply goes back by itself, `firewall confirm` tells its
/// "nothing pending" cases apart, and moving back to iptables leaves no table behind.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabNFTablesTests {
    func table(_ lab: LabFixture, _ host: String) async throws -> String? {
        let listed = try await lab.exec(host, ["nft", "list", "table", "inet", "storagekit"])
        return listed.exitCode == 0 ? listed.stdout : nil
    }

    func check(_ lab: LabFixture) async throws -> (exitCode: Int32?, report: CheckReport) {
        let result = try await lab.onLab(["check"], ["--json", "--timeout", "10"])
        return (result.exitCode, try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8)))
    }

    @Test func theTableHoldsTheSpecsPortsAndCheckJudgesThroughIt() async throws {
        try await LabFixture.with("sknf", edit: { $0.replacingOccurrences(of: "firewall: {manage: true}", with: "firewall: {manage: true, backend: nftables}") }) { lab in
            for what in ["iscsi-target", "nfs"] {
                let setup = try await lab.storagekit(["setup", what, "--spec", lab.labSpec])
                #expect(setup.exitCode == 0, "setup \(what): \(setup.stdout)\(setup.stderr)")
            }
            let apply = try await lab.onLab(["apply"])
            #expect(apply.exitCode == 0, "apply: \(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.contains("firewall backend: nftables (the spec says nftables)"), "\(apply.stdout)")

            let nfs = try #require(try await table(lab, "nfs"), "nfs has storagekit's table")
            #expect(nfs.contains("ip saddr 10.99.1.0/24 tcp dport 2049 accept comment \"nfs\""), "\(nfs)")
            #expect(nfs.contains("tcp dport 2049 drop comment \"nfs: not from the storage network\""), "\(nfs)")
            let chain = try await lab.exec("nfs", ["iptables", "-S", "STORAGEKIT"])
            #expect(chain.exitCode != 0, "no storagekit chain in iptables: \(chain.stdout)")
            let conf = try await lab.exec("nfs", ["cat", "/etc/nftables.conf"])
            #expect(conf.stdout.contains("include \"/etc/storagekit/firewall.nft\""), "\(conf.stdout)")

            let ready = try await check(lab)
            #expect(ready.exitCode == 0 && ready.report.ready, "\(ready.report.findings.filter { $0.status == .fail })")
            // A server too: check looks at its firewall over its transport.
            let served = ready.report.findings.first { $0.check == CheckID.hostFirewall && $0.hosts.contains("nfs") }
            #expect(served?.status == .pass && served?.message == "storagekit's rules are in nftables", "\(String(describing: served))")
            let again = try await lab.onLab(["apply"], ["--json"])
            #expect(again.exitCode == 0 && again.stdout.contains("\"changes\" : 0"), "a second apply changes nothing: \(again.stdout)")

            // The rule that lets the storage network reach nfsd, removed by hand: its drop rule
            // now takes every connect, and check names the port.
            let handles = try await lab.exec("nfs", ["nft", "-a", "list", "table", "inet", "storagekit"])
            let line = try #require(handles.stdout.split(separator: "\n").first { $0.contains("tcp dport 2049 accept") })
            let handle = try #require(line.split(separator: " ").last.map(String.init))
            #expect(try await lab.exec("nfs", ["nft", "delete", "rule", "inet", "storagekit", "input", "handle", handle]).exitCode == 0)
            let broken = try await check(lab)
            #expect(broken.exitCode == 1 && !broken.report.ready)
            let failing = broken.report.findings.filter { $0.status == .fail }
            #expect(failing.contains { $0.message.contains("2049") }, "\(failing)")
            let plan = try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--dry-run"])
            #expect(plan.stdout.contains("load nftables table inet storagekit"), "\(plan.stdout)")
            #expect(try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "0"]).exitCode == 0)
            #expect(try await check(lab).report.ready, "the table is whole again")

            // Unconfirmed: the table as it was before (none) comes back by itself, and confirm
            // says so loudly.
            #expect(try await lab.exec("nfs", ["nft", "delete", "table", "inet", "storagekit"]).exitCode == 0)
            let gone = try await check(lab).report.findings.first { $0.check == CheckID.hostFirewall && $0.hosts == ["nfs"] }
            #expect(gone?.status == .warn && gone?.message.contains("storagekit's rules are in no firewall") == true && gone?.fix == "storagekit firewall apply --host nfs",
                    "\(String(describing: gone))")
            let timed = try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "3"])
            #expect(timed.exitCode == 0, "\(timed.stdout)\(timed.stderr)")
            #expect(try await table(lab, "nfs") != nil, "loaded")
            try await waitUntil("the old ruleset (no table) is back", timeout: .seconds(20)) { try await table(lab, "nfs") == nil }
            let late = try await lab.onLab(["firewall", "confirm"], ["--host", "nfs"])
            #expect(late.exitCode == 1 && late.stderr.contains("NOT confirmed") && late.stderr.contains("rolled back"), "\(late.stdout)\(late.stderr)")

            // Killed the instant the table is live, unconfirmed: the timer, armed before the
            // load, still brings back the table as it was (none).
            let killed = try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "4"],
                                             environment: [FaultPoint.variable: FaultPoint.firewallLoaded.rawValue])
            #expect(killed.signal == 9 || killed.exitCode == 137, "killed at the fault point: \(killed.stderr)")
            #expect(try await table(lab, "nfs") != nil, "the new table was live when it died")
            try await waitUntil("the old ruleset (no table) is back after the kill", timeout: .seconds(20)) { try await table(lab, "nfs") == nil }

            // `auto` on a host whose nftables.conf has rules of its own picks nftables, and says
            // why; on one with Debian's shipped file, iptables.
            let autoSpec = try lab.directory.write("auto.yaml", String(contentsOfFile: lab.labSpec, encoding: .utf8)
                .replacingOccurrences(of: "backend: nftables", with: "backend: auto"))
            let ownRule = "table inet admin {\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport 22 accept\n\t}\n}\n"
            #expect(try await lab.exec("hv2", ["sh", "-c", "printf \"$0\" >> /etc/nftables.conf", ownRule]).exitCode == 0)
            let autoPlan = try await lab.storagekit(["firewall", "apply", "--spec", autoSpec, "--host", "hv2", "--host", "hv3", "--dry-run"])
            #expect(autoPlan.stdout.contains("firewall backend: nftables (/etc/nftables.conf has rules of its own (1, first: `tcp dport 22 accept`))"), "\(autoPlan.stdout)")
            #expect(autoPlan.stdout.contains("firewall backend: iptables (firewalld is not running"), "\(autoPlan.stdout)")

            // Confirmed in time, then an apply that changes nothing: both confirm with 0.
            #expect(try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "60"]).exitCode == 0)
            let kept = try await lab.onLab(["firewall", "confirm"], ["--host", "nfs"])
            #expect(kept.exitCode == 0 && kept.stdout.contains("kept and saved"), "\(kept.stdout)\(kept.stderr)")
            #expect(try await lab.onLab(["firewall", "apply"], ["--host", "nfs", "--confirm-within", "60"]).exitCode == 0)
            let nothing = try await lab.onLab(["firewall", "confirm"], ["--host", "nfs"])
            #expect(nothing.exitCode == 0 && nothing.stdout.contains("changed nothing"), "\(nothing.stdout)\(nothing.stderr)")

            // Back to iptables: the chain is loaded and the table, its file and include are gone.
            let iptablesSpec = try lab.directory.write("iptables.yaml", String(contentsOfFile: lab.labSpec, encoding: .utf8)
                .replacingOccurrences(of: "backend: nftables", with: "backend: iptables"))
            let moved = try await lab.storagekit(["firewall", "apply", "--spec", iptablesSpec, "--host", "nfs", "--confirm-within", "0"])
            #expect(moved.exitCode == 0, "\(moved.stdout)\(moved.stderr)")
            #expect(try await lab.exec("nfs", ["iptables", "-S", "STORAGEKIT"]).exitCode == 0)
            #expect(try await table(lab, "nfs") == nil, "no table left in nftables")
            let after = try await lab.exec("nfs", ["cat", "/etc/nftables.conf"])
            #expect(!after.stdout.contains("storagekit"), "\(after.stdout)")

            // `rollback` of that move puts back what it replaced, live and on disk: the table as
            // it was, its file and include, and no chain in iptables.
            let dry = try await lab.onLab(["rollback"], ["--host", "nfs", "--dry-run"])
            #expect(dry.stdout.contains("load nftables table inet storagekit as it was") && dry.stdout.contains("take storagekit's iptables chain out"), "\(dry.stdout)\(dry.stderr)")
            #expect(try await lab.exec("nfs", ["iptables", "-S", "STORAGEKIT"]).exitCode == 0, "a dry run changes nothing")
            let rollback = try await lab.onLab(["rollback"], ["--host", "nfs"])
            #expect(rollback.exitCode == 0, "\(rollback.stdout)\(rollback.stderr)")
            #expect(try await table(lab, "nfs") == nfs, "the table as it was before the move")
            #expect(try await lab.exec("nfs", ["iptables", "-S", "STORAGEKIT"]).exitCode != 0, "no chain in iptables")
            #expect(try await lab.exec("nfs", ["cat", "/etc/nftables.conf"]).stdout == conf.stdout, "nftables.conf as it was")
            #expect(try await lab.exec("nfs", ["test", "-e", "/etc/storagekit/firewall.nft"]).exitCode == 0, "the table's file is back")
            #expect(try await check(lab).report.ready)
        }
    }
}
