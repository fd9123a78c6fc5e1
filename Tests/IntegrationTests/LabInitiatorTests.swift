import Foundation
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// `storagekit iscsi` on the lab's hypervisors: the pre-flight against the real tgtd, node
/// records in the host's own /etc/iscsi, and the login failing in one clear line (no kernel
/// initiator here; the kernel lab logs in for real).
@Suite(.serialized, .tags(.lab), .needsLab) struct LabInitiatorTests {
    static let target = "iqn.2026-11.lab.san:vmstore"

    @Test func preflightRecordsAndLoginFailureThenLogout() async throws {
        try await LabFixture.with("skto") { lab in
            let setup = try await lab.onLab(["setup", "iscsi-target"])
            #expect(setup.exitCode == 0, "setup: \(setup.stderr)")

            let login = try await lab.onLab(["iscsi", "login"], ["--host", "hv1"])
            #expect(login.exitCode == 1)
            let errors = login.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && errors[0].contains("could not connect to iscsid"), "one clear line: \(login.stderr)")
            #expect(!login.stderr.contains("Fatal error") && !login.stderr.contains("Backtrace"))
            #expect(login.stdout.contains("10.99.1.5:3260 admits iqn.2026-11.storagekit.skto:hv1") && login.stdout.contains("10.99.2.5:3260 admits"))

            // Node records: in hv1's own /etc/iscsi, one per portal, with the managed settings.
            let secret = try lab.secret()
            for portal in ["10.99.1.5,3260", "10.99.2.5,3260"] {
                let record = try await lab.exec("hv1", ["cat", "/etc/iscsi/nodes/\(Self.target)/\(portal)"])
                #expect(record.exitCode == 0, "record \(portal): \(record.stderr)")
                for line in ["node.startup = automatic", "node.session.timeo.replacement_timeout = 15", "node.session.auth.authmethod = CHAP",
                             "node.session.auth.username = labuser", "node.session.auth.password = \(secret)"] {
                    #expect(record.stdout.contains(line), "\(portal) lacks \(line)")
                }
            }
            #expect(!login.stdout.contains(secret) && !login.stderr.contains(secret), "the secret is never printed")
            #expect(try await lab.exec("hv2", ["test", "-e", "/etc/iscsi/nodes/\(Self.target)"]).exitCode != 0, "hv2's /etc is its own")
            #expect(!FileManager.default.fileExists(atPath: "/etc/iscsi/nodes/\(Self.target)"), "this machine's /etc is untouched")

            // Second run: records are as wanted, nothing is created or set again.
            let again = try await lab.onLab(["iscsi", "login"], ["--host", "hv1"])
            #expect(!again.stdout.contains("created node record") && !again.stdout.contains("set node"), "second run: \(again.stdout)")

            // hv3 made an initiator in a spec the server was not set up with: refused at pre-flight.
            let widened = try String(contentsOfFile: lab.labSpec, encoding: .utf8).replacingOccurrences(of: "initiators: [hv1, hv2]", with: "initiators: [hv1, hv2, hv3]")
            let widenedSpec = try lab.directory.write("widened.yaml", widened)
            let hv3 = try await lab.storagekit(["iscsi", "login", "--spec", widenedSpec, "--host", "hv3"])
            #expect(hv3.exitCode == 1 && hv3.stdout.contains("not in the target's ACL"), "hv3: \(hv3.stdout)\(hv3.stderr)")
            #expect(try await lab.exec("hv3", ["test", "-e", "/etc/iscsi/nodes/\(Self.target)"]).exitCode != 0, "no record before a passing pre-flight")

            // A wrong CHAP secret: refused at pre-flight too.
            let wrongSecret = try lab.directory.write("wrong.secret", "not-the-secret\n")
            chmod(wrongSecret, 0o600)
            let wrong = try String(contentsOfFile: lab.labSpec, encoding: .utf8).replacingOccurrences(of: lab.secretFile, with: wrongSecret)
            let wrongSpec = try lab.directory.write("wrong.yaml", wrong)
            let denied = try await lab.storagekit(["iscsi", "login", "--spec", wrongSpec, "--host", "hv2"])
            #expect(denied.exitCode == 1 && denied.stdout.contains("rejected the CHAP credentials"), "wrong CHAP: \(denied.stdout)\(denied.stderr)")

            // Logout removes the spec's records.
            let logout = try await lab.onLab(["iscsi", "logout"], ["--host", "hv1"])
            #expect(logout.exitCode == 0 && logout.stdout.contains("deleted node record"), "logout: \(logout.stdout)\(logout.stderr)")
            #expect(try await lab.exec("hv1", ["test", "-e", "/etc/iscsi/nodes/\(Self.target)/10.99.1.5,3260"]).exitCode != 0)
        }
    }

    @Test func multipathSetupChecksTheIdentitiesHv1SeesAndWritesTheAliases() async throws {
        try await LabFixture.with("sktm") { lab in
            let setup = try await lab.onLab(["setup", "iscsi-target"])
            #expect(setup.exitCode == 0, "setup: \(setup.stderr)")
            let spec = try SpecLoader.load(yaml: String(contentsOfFile: lab.labSpec, encoding: .utf8)).spec
            let target = try #require(spec.iscsi?.targets.first)
            let result = try await lab.onLab(["multipath", "setup"], ["--host", "hv1"])
            for lun in target.luns {
                let line = "\(spec.multipathAlias(of: target, lun)): WWID \(spec.identity(of: target, lun).wwid) seen through 2 portal(s)"
                #expect(result.stdout.contains(line), "\(line) in \(result.stdout)")
            }
            let conf = try await lab.exec("hv1", ["cat", "/etc/multipath.conf"])
            #expect(conf.stdout.contains("alias vmstore-1") && conf.stdout.contains(spec.identity(of: target, target.luns[0]).wwid))
            // No device-mapper or multipathd here: one clear line, exit 1 (the kernel lab goes further).
            #expect(result.exitCode == 1)
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && errors[0].contains("multipathd could not reload"), "\(result.stderr)")
        }
    }
}
