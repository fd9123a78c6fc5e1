import Foundation
import StorageCheck
import StorageSystem
import StorageTestSupport
import Testing

/// The namespace lab takes a spec that was not written for it: an export under /export, backing
/// stores under /data and a mount path under /var/lib/<name>/vms, directories the machine does
/// not have. Each host gets them of its own; the machine keeps none of their content. While
/// the lab is up, the spec that reaches its hosts over ssh is refused from this machine's
/// namespace, and a counter on this namespace's OUTPUT proves that nothing was sent.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabAnySpecTests {
    static func userLayout(_ yaml: String) -> String {
        yaml.replacingOccurrences(of: "mountPath: /var/lib/vmstore\n", with: "mountPath: /var/lib/anyspec/vms\n")
            .replacingOccurrences(of: "- path: /srv/vmstore\n", with: "- path: /export/anyspec\n")
            .replacingOccurrences(of: "backingStore: /srv/iscsi/", with: "backingStore: /data/iscsi/")
    }

    func ok(_ result: CommandResult, _ what: String) {
        #expect(result.exitCode == 0, "\(what): exit \(result.exitCode.map(String.init) ?? "signal")\n\(result.stdout)\(result.stderr)")
    }

    func watch(_ action: String, _ name: String, _ networks: [String] = [], in lab: LabFixture? = nil, host: String? = nil) async throws -> CommandResult {
        let script = RealTool.packageRoot.appendingPathComponent("scripts/lib/lab-leak-watch").path
        if let lab, let host { return try await lab.exec(host, [script, action, name] + networks) }
        return try await SubprocessRunner().run(Command(script, [action, name] + networks, timeout: .seconds(30)))
    }

    @Test func aUserLayoutWorksInTheNamespaceLabAndTheSSHSpecIsRefusedWithNothingSent() async throws {
        let chain = "sk_leak_skany"
        let networks = ["10.99.1.0/24", "10.99.2.0/24"]
        let existedBefore = ["/export", "/data"].filter { FileManager.default.fileExists(atPath: $0) }
        ok(try await watch("start", chain, networks), "leak watch on this namespace")
        var leaked = ""
        try await LabFixture.with("skany", edit: Self.userLayout) { lab in
            // 1. The user's paths are each host's own.
            ok(try await lab.storagekit(["setup", "iscsi-target", "--spec", lab.labSpec], timeout: .seconds(180)), "setup iscsi-target")
            ok(try await lab.storagekit(["setup", "nfs", "--spec", lab.labSpec], timeout: .seconds(180)), "setup nfs (ganesha exports /export/anyspec)")
            ok(try await lab.storagekit(["apply", "--spec", lab.labSpec], timeout: .seconds(180)), "apply")
            ok(try await lab.exec("san", ["test", "-s", "/data/iscsi/vmstore1.img"]), "the backing store is in san's own /data")
            ok(try await lab.exec("nfs", ["test", "-d", "/export/anyspec"]), "the export is in nfs's own /export")
            #expect(try await lab.exec("hv1", ["test", "-e", "/data/iscsi/vmstore1.img"]).exitCode != 0, "hv1 does not see san's /data")
            #expect(!FileManager.default.fileExists(atPath: "/data/iscsi/vmstore1.img") && !FileManager.default.fileExists(atPath: "/export/anyspec"),
                    "this machine's own /data and /export hold nothing of the lab")
            let check = try await lab.storagekit(["check", "--spec", lab.labSpec, "--json"], timeout: .seconds(120))
            let report = try JSONDecoder().decode(CheckReport.self, from: Data(check.stdout.utf8))
            #expect(check.exitCode == 0 && report.ready, "check: \(report.findings.filter { $0.status == .fail })\(check.stderr)")

            // 2. The spec as written (ssh) is refused from here, before anything is sent.
            for command in [["check"], ["setup", "nfs"], ["iscsi", "login"], ["plan"]] {
                let refused = try await lab.storagekit(command + ["--spec", lab.spec], timeout: .seconds(60))
                #expect(refused.exitCode == 2, "\(command): exit \(refused.exitCode.map(String.init) ?? "signal")")
                #expect(refused.stderr.contains("lab skany, which is up on this machine") && refused.stderr.contains("--write-spec") && refused.stderr.contains("nothing was sent"),
                        "\(command): \(refused.stderr)")
            }
            let probe = try await lab.storagekit(["probe", "iscsi", "--portal", "10.99.1.5"])
            #expect(probe.exitCode == 2 && probe.stderr.contains("lab skany"), "probe from this namespace: \(probe.stderr)")
            let again = try await lab.storagekit(["lab", "up", "--spec", lab.spec])
            ok(again, "lab up again without --write-spec")
            let last = again.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("next:") && last.contains("storagekit lab up --spec \(lab.spec) --write-spec"), "last line: \(last)")

            // The counter counts: the same watch inside hv1 sees hv1's own packets to nfs.
            ok(try await self.watch("start", "w", networks, in: lab, host: "hv1"), "watch inside hv1")
            _ = try await lab.exec("hv1", ["ping", "-c", "1", "-W", "2", "10.99.1.9"])
            let inside = try await self.watch("count", "w", in: lab, host: "hv1")
            #expect((Int(inside.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1, "the watch counts a lab packet: \(inside.stdout)\(inside.stderr)")
            leaked = try await self.watch("count", chain).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let stopped = try await watch("stop", chain).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(leaked == "0" && stopped == "0", "packets from this namespace to the lab's networks: \(leaked) during, \(stopped) at the end")
        for directory in ["/export", "/data"] where !existedBefore.contains(directory) {
            #expect(!FileManager.default.fileExists(atPath: directory), "lab down removes the mount point \(directory) it made")
        }
    }

    @Test func aPathUnderUsrIsRefusedByLabUpNamingTheFieldWithNothingMade() async throws {
        let lab = try LabFixture(cluster: "skusr") { $0.replacingOccurrences(of: "- path: /srv/vmstore\n", with: "- path: /usr/share/vmstore\n") }
        let up = try await lab.storagekit(["lab", "up", "--spec", lab.spec])
        #expect(up.exitCode == 2, "exit \(up.exitCode.map(String.init) ?? "signal")")
        #expect(up.stderr.contains("nfs.exports[0].path") && up.stderr.contains("/usr/share/vmstore") && up.stderr.contains("under /usr"), "\(up.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/sk-skusr-san") && !FileManager.default.fileExists(atPath: "/run/storagekit/lab/skusr/state.json")
                && !FileManager.default.fileExists(atPath: lab.secretFile),
                "nothing was made")
        _ = try await lab.storagekit(["lab", "down", "--spec", lab.spec])
        try? FileManager.default.removeItem(atPath: lab.secretFile)
    }
}
