import Foundation
import StorageModel
import StorageSystem
import Testing

/// A lab of examples/lab.yaml under another cluster name, driven through the storagekit binary
/// as users drive it. Every test brings its own lab up and always takes it down.
struct LabFixture {
    let cluster: String
    let directory: TemporaryDirectory
    let spec: String
    let secretFile: String

    /// examples/`example`.yaml under the cluster name `cluster`, changed by `edit`.
    init(cluster: String, example: String = "lab", edit: (String) -> String = { $0 }) throws {
        self.cluster = cluster
        directory = try TemporaryDirectory("storagekit-lab-\(cluster)")
        secretFile = "/run/storagekit/\(cluster)-chap.secret"
        let text = try String(contentsOf: RealTool.packageRoot.appendingPathComponent("examples/\(example).yaml"), encoding: .utf8)
        let original = text.split(separator: "\n").first { $0.hasPrefix("cluster: ") }.map { String($0.dropFirst("cluster: ".count)) } ?? example
        let yaml = text.replacingOccurrences(of: "cluster: \(original)", with: "cluster: \(cluster)")
            .replacingOccurrences(of: "/run/storagekit/\(original)-chap.secret", with: secretFile)
        spec = try directory.write("spec.yaml", edit(yaml))
    }

    var labSpec: String { "\(directory.path)/lab.yaml" }

    /// Runs `body` on a fresh lab, then takes the lab down whatever happened.
    static func with(_ cluster: String, example: String = "lab", kernel: Bool = false, edit: (String) -> String = { $0 }, _ body: (LabFixture) async throws -> Void) async throws {
        let lab = try LabFixture(cluster: cluster, example: example, edit: edit)
        _ = try await lab.storagekit(["lab", "down", "--spec", lab.spec])
        let up = try await lab.storagekit(["lab", "up", "--spec", lab.spec, "--write-spec", lab.labSpec] + (kernel ? ["--kernel"] : []), timeout: .seconds(420))
        #expect(up.exitCode == 0, "lab up: \(up.stdout)\(up.stderr)")
        var failure: (any Error)?
        if up.exitCode == 0 {
            do { try await body(lab) } catch { failure = error }
        }
        let down = try await lab.storagekit(["lab", "down", "--spec", lab.spec])
        #expect(down.exitCode == 0, "lab down: \(down.stderr)")
        try? FileManager.default.removeItem(atPath: lab.secretFile)
        if let failure { throw failure }
    }

    func storagekit(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)) async throws -> CommandResult {
        try await SubprocessRunner().run(Command(RenderCommandTests.binary, arguments, timeout: timeout, environment: environment))
    }

    /// `storagekit lab exec HOST -- argv`: inside the host's namespaces, never from the root one.
    func exec(_ host: String, _ argv: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        try await storagekit(["lab", "exec", "--spec", labSpec, host, "--"] + argv, timeout: timeout)
    }

    /// `storagekit <command> --spec lab.yaml …` on the lab.
    func onLab(_ command: [String], _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> CommandResult {
        try await storagekit(command + ["--spec", labSpec] + arguments, environment: environment)
    }

    func secret() throws -> String {
        try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// TCP connect from `host` with a deadline: "open", "refused" or "timeout".
    func connect(from host: String, to address: String, port: Int) async throws -> String {
        let result = try await exec(host, ["timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/$0/$1", address, String(port)])
        if result.exitCode == 0 { return "open" }
        if result.exitCode == 124 { return "timeout" }
        return "refused"
    }
}

extension LabFixture {
    /// On each host, every LUN of `target` is a multipath map with two paths (one per portal),
    /// and `scsi_id` of each path is the WWID the spec rendered before any login.
    func expectMapsOfTwoPaths(on hosts: [String], of target: ISCSITarget, spec: ClusterSpec) async throws {
        for host in hosts {
            for lun in target.luns {
                let alias = spec.multipathAlias(of: target, lun)
                let device = try await exec(host, ["sh", "-c", "ls /sys/block/$(basename $(readlink -f /dev/mapper/$0))/slaves", alias])
                let slaves = device.stdout.split(separator: "\n")
                #expect(slaves.count == 2, "\(host) \(alias) paths: \(device.stdout)\(device.stderr)")
                for slave in slaves {
                    let wwid = try await exec(host, ["/lib/udev/scsi_id", "-g", "-u", "-d", "/dev/\(slave)"])
                    #expect(wwid.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == spec.identity(of: target, lun).wwid, "\(host) \(slave)")
                }
            }
        }
    }
}
