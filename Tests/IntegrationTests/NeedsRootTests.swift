import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// A mutating command run by someone other than root says "needs root" before it touches
/// anything, rather than failing halfway with a permission error.
@Suite(.needsRoot("it runs storagekit as user nobody (setpriv) to see what a non-root user gets")) struct NeedsRootTests {
    /// `storagekit ARGS` as user nobody (setpriv), on a spec nobody may read.
    func asNobody(_ arguments: [String]) async throws -> CommandResult {
        try await SubprocessRunner().run(Command("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", RenderCommandTests.binary] + arguments, timeout: .seconds(30)))
    }

    static let localSpec = """
        cluster: nr
        mountPath: /var/lib/vmstore
        network: [10.96.1.0/24]
        hosts:
          - {name: nfs, address: 10.96.1.9, roles: [nfs-server], transport: local}
          - {name: hv1, address: 10.96.1.11, roles: [hypervisor], transport: lab}
        nfs:
          server: nfs
          exports: [{path: /srv/vmstore, clients: [10.96.1.11]}]
        """

    @Test func everyMutatingCommandRefusesBeforeTouchingAnything() async throws {
        let directory = try TemporaryDirectory("storagekit-needs-root")
        let spec = try directory.write("spec.yaml", Self.localSpec)
        _ = try await SubprocessRunner().run(Command("chmod", ["0755", directory.path]))
        _ = try await SubprocessRunner().run(Command("chmod", ["0644", spec]))
        let commands: [[String]] = [
            ["apply", "--host", "nfs"], ["setup", "nfs"], ["firewall", "apply", "--host", "nfs"], ["rollback", "--host", "nfs"],
            ["mount", "--host", "hv1"], ["firewall", "confirm", "--host", "nfs"], ["plan", "--host", "hv1"],
        ]
        for command in commands {
            let result = try await asNobody(command + ["--spec", spec])
            #expect(result.exitCode == 2, "\(command): exit \(result.exitCode.map(String.init) ?? "-"): \(result.stderr)")
            #expect(result.stderr.contains("needs root on this machine") && result.stderr.contains("nothing was changed"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("Permission denied") && !result.stderr.contains("Operation not permitted"), "\(command): said before trying: \(result.stderr)")
        }
        // Reading a local host's plan needs no root; only changing it does.
        let plan = try await asNobody(["plan", "--host", "nfs", "--spec", spec])
        #expect(!plan.stderr.contains("needs root"), "plan of a local host: \(plan.stderr)")
    }
}
