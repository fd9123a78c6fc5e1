import BenchSupport
import Foundation
import StorageCheck
import StorageFacts
import StorageSystem
import StorageTestSupport
import Testing

/// `check` at 50 hypervisors on this machine's lab: READY with no failing finding, every host
/// checked. At 50 the check's own load once turned a ready cluster NOT READY (a machine-wide
/// neighbour table overflowing, N² migration probes, every host started at once); bench/scale
/// measures 20 to 200.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabScaleTests {
    static let hypervisors = 50

    @Test func fiftyHypervisorsAreReadyWithNoFalseFailure() async throws {
        let directory = try TemporaryDirectory("storagekit-lab-scale")
        let spec = try directory.write("spec.yaml", ScaleSpec.labYAML(hypervisors: Self.hypervisors, cluster: "skscale50"))
        let lab = "\(directory.path)/lab.yaml"
        _ = try await storagekit(["lab", "down", "--spec", spec])
        let up = try await storagekit(["lab", "up", "--spec", spec, "--write-spec", lab])
        #expect(up.exitCode == 0, "lab up: \(up.stdout)\(up.stderr)")
        var failure: (any Error)?
        if up.exitCode == 0 {
            do { try await checkIsReady(lab) } catch { failure = error }
        }
        let down = try await storagekit(["lab", "down", "--spec", spec])
        #expect(down.exitCode == 0, "lab down: \(down.stderr)")
        if let failure { throw failure }
    }

    func storagekit(_ arguments: [String]) async throws -> CommandResult {
        try await SubprocessRunner().run(Command(RenderCommandTests.binary, arguments, timeout: .seconds(300)))
    }

    func checkIsReady(_ lab: String) async throws {
        // Room for every namespace's neighbours in the machine's one table.
        let limit = try String(contentsOfFile: "/proc/sys/net/ipv4/neigh/default/gc_thresh3", encoding: .utf8)
        #expect(Int(limit.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 2 * 52 * 52, "gc_thresh3 is \(limit)")
        for command in [["setup", "iscsi-target"], ["setup", "nfs"], ["apply"]] {
            let result = try await storagekit(command + ["--spec", lab])
            #expect(result.exitCode == 0, "\(command.joined(separator: " ")): \(result.stdout.suffix(2000))\(result.stderr.suffix(2000))")
        }

        let check = try await storagekit(["check", "--spec", lab, "--timeout", "10", "--json"])
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(check.stdout.utf8))
        let failing = report.findings.filter { $0.status == .fail }
        #expect(check.exitCode == 0 && report.ready, "\(failing.count) false failures: \(failing.prefix(10).map { "\($0.check) \($0.hosts.prefix(5)): \($0.message)" })")
        #expect(failing.isEmpty)
        #expect(report.notChecked.isEmpty, "not checked: \(report.notChecked)")
        let answered = report.findings.filter { $0.check == CheckID.hostFacts && $0.status == .pass }.flatMap(\.hosts)
        #expect(Set(answered).count == Self.hypervisors)
        // Migration ports were probed between ring neighbours, and every hypervisor was a destination.
        let probed = report.findings.filter { $0.check == CheckID.migrationPort && $0.status != .fail }.flatMap(\.hosts)
        #expect(Set(probed).count == Self.hypervisors)
        #expect(report.findings.contains { $0.check == CheckID.nfsCanaryShared && $0.status == .pass && $0.hosts.count == Self.hypervisors })
        // JSON on a pipe carries no progress text.
        #expect(!check.stderr.contains("hypervisors answered"), "stderr: \(check.stderr.prefix(300))")

        // At a terminal (util-linux `script` gives it one), one line counts the answers.
        let command = [RenderCommandTests.binary, "check", "--spec", lab, "--timeout", "10"].joined(separator: " ")
        let tty = try await SubprocessRunner().run(Command("script", ["-qec", command, "/dev/null"], timeout: .seconds(120)))
        #expect(tty.stdout.contains("facts: \(Self.hypervisors) of \(Self.hypervisors) hypervisors answered"), "\(tty.stdout.suffix(500))")
        #expect(tty.stdout.contains("READY"), "\(tty.stdout.suffix(500))")
    }
}
