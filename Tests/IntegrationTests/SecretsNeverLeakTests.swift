import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// The lab's CHAP secret (random, in its 0600 file) through every command that reads it: never
/// in stdout, stderr or --json, never in the argv of a process left running, never in a file
/// others may read (rendered files, backups, node records, the tgt config), here or on a host.
@Suite(.serialized, .tags(.lab), .needsLab) struct SecretsNeverLeakTests {
    @Test func theCHAPSecretStaysInItsFilesAndOutOfEveryOutput() async throws {
        try await LabFixture.with("skse") { lab in
            let secret = try lab.secret()
            #expect(secret.count >= 12)
            let rendered = lab.directory.path + "/rendered"
            let commands: [[String]] = [
                ["validate", "--spec", lab.labSpec], ["validate", "--spec", lab.labSpec, "--json"],
                ["render", "--spec", lab.labSpec, "--all", "--root", rendered], ["render", "--spec", lab.labSpec, "--all", "--root", rendered, "--json", "--dry-run"],
                ["plan", "--spec", lab.labSpec], ["plan", "--spec", lab.labSpec, "--json"],
                ["setup", "iscsi-target", "--spec", lab.labSpec, "--dry-run"], ["setup", "iscsi-target", "--spec", lab.labSpec, "--json"],
                ["setup", "iscsi-target", "--spec", lab.labSpec],
                ["apply", "--spec", lab.labSpec, "--json"], ["apply", "--spec", lab.labSpec],
                ["iscsi", "login", "--spec", lab.labSpec, "--host", "hv1", "--json"], ["iscsi", "status", "--spec", lab.labSpec, "--json"],
                ["multipath", "setup", "--spec", lab.labSpec, "--host", "hv1", "--dry-run"],
                ["check", "--spec", lab.labSpec, "--json", "--timeout", "10"], ["check", "--spec", lab.labSpec, "--timeout", "10"],
                ["facts", "--spec", lab.labSpec, "--json"],
                ["rollback", "--spec", lab.labSpec, "--host", "san", "--dry-run"],
            ]
            var ran = 0
            for command in commands {
                let result = try await lab.storagekit(command, timeout: .seconds(180))
                #expect(result.exitCode != nil, "\(command) ended by a signal")
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(command) printed the secret")
                let ps = try await SubprocessRunner().run(Command("ps", ["-eo", "args"]))
                #expect(!ps.stdout.contains(secret), "after \(command): a running process has the secret in its argv")
                ran += 1
            }
            #expect(ran == commands.count)

            // Rendered on this machine: only the tgt config holds it, and only its owner reads it.
            let holders = try await SubprocessRunner().run(Command("grep", ["-rlF", secret, rendered]))
            let files = holders.stdout.split(separator: "\n").map(String.init)
            #expect(!files.isEmpty && files.allSatisfy { $0.contains("/etc/tgt/") }, "rendered files holding the secret: \(files)")
            for file in files { #expect(try mode(file) & 0o077 == 0, "\(file) is readable by others") }

            // On the hosts: every file holding it (configs, backups, iscsiadm's node records) is 0600-like.
            for host in ["san", "hv1"] {
                let found = try await lab.exec(host, ["sh", "-c", "grep -rlF \"$0\" /etc /var/lib/storagekit /var/lib/iscsi 2>/dev/null | while read f; do stat -c '%a %n' \"$f\"; done", secret])
                let lines = found.stdout.split(separator: "\n").map(String.init)
                #expect(!lines.isEmpty, "\(host): the secret is where it must be (san: tgt config, hv1: node records)")
                for line in lines {
                    let permissions = Int(line.prefix { $0 != " " }, radix: 8) ?? 0o777
                    #expect(permissions & 0o077 == 0, "\(host): \(line) is readable by others")
                }
            }
        }
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0o777
    }
}
