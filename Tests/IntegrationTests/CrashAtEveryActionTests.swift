import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// `apply` killed with SIGKILL right after each action k of hv1's plan (every k, not one):
/// every managed file is then byte for byte its old or its new content, no staged file is left,
/// `rollback` of that crashed run brings back exactly the old files, and the next apply converges
/// to the same files a run without a crash writes.
@Suite(.serialized, .tags(.lab), .needsLab) struct CrashAtEveryActionTests {
    static let paths = ["/etc/fstab", "/etc/iscsi/initiatorname.iscsi", "/etc/multipath.conf", "/etc/multipath/wwids", "/etc/systemd/system/var-lib-vmstore.mount"]

    func sha256s(_ lab: LabFixture) async throws -> [String: String] {
        var sums: [String: String] = [:]
        for path in Self.paths {
            let result = try await lab.exec("hv1", ["sh", "-c", "sha256sum < \"$0\" 2>/dev/null || echo absent", path])
            sums[path] = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return sums
    }

    struct Plan: Decodable { let changes: Int }

    @Test func aKillAfterAnyActionLeavesOldOrNewFilesRollbackRestoresAndARerunConverges() async throws {
        try await LabFixture.with("sktk") { lab in
            let planned = try await lab.onLab(["plan"], ["--host", "hv1", "--json"])
            let actions = try JSONDecoder().decode(Plan.self, from: Data(planned.stdout.utf8)).changes
            #expect(actions >= 5, "a plan with several files and commands: \(actions)")
            let old = try await sha256s(lab)

            var middles: [Int: [String: String]] = [:]
            for k in 1..<actions {
                let crashed = try await lab.onLab(["apply"], ["--host", "hv1"], environment: [Applier.faultPointVariable: String(k)])
                #expect(crashed.signal == 9 || crashed.exitCode == 137, "k=\(k): apply should have been killed: \(crashed.exitCode.map(String.init) ?? "-") \(crashed.stderr)")
                middles[k] = try await sha256s(lab)
                let leftovers = try await lab.exec("hv1", ["find", "/etc", "-name", "*.storagekit-new"])
                #expect(leftovers.stdout.isEmpty, "k=\(k): staged files left: \(leftovers.stdout)")

                let rollback = try await lab.onLab(["rollback"], ["--host", "hv1"])
                #expect(rollback.exitCode == 0, "k=\(k): rollback of the crashed run: \(rollback.stdout)\(rollback.stderr)")
                #expect(try await sha256s(lab) == old, "k=\(k): rollback restores every old file")
            }

            let rerun = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(rerun.exitCode == 0, "rerun: \(rerun.stdout)\(rerun.stderr)")
            let new = try await sha256s(lab)
            #expect(Self.paths.allSatisfy { old[$0] != new[$0] }, "every file changes")
            #expect(middles.count == actions - 1)
            for (k, middle) in middles.sorted(by: { $0.key < $1.key }) {
                for path in Self.paths {
                    #expect(middle[path] == old[path] || middle[path] == new[path], "k=\(k): \(path) was neither old nor new after the kill")
                }
                // The file actions come first in hv1's plan, one file each.
                #expect(Self.paths.filter { middle[$0] == new[$0] }.count == min(k, Self.paths.count), "k=\(k): exactly the first k actions were done")
            }
            let third = try await lab.onLab(["apply"], ["--host", "hv1"])
            #expect(third.stdout.contains("up to date, 0 changes"), "third apply: \(third.stdout)")
        }
    }
}
