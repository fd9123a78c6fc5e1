import Foundation
import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

@Suite struct SharedMounterTests {
    /// A systemd hypervisor whose mount point is free until `systemctl start` (then findmnt shows
    /// `mountedJSON`: `findmnt --json` output captured from a real bind mount, its paths set to
    /// the spec's).
    static func mountingHost(mountedJSON: String) -> ScriptedTransport {
        ScriptedTransport(host: "hv1", replyAfter: { command, earlier in
            let argv = [command.executable] + command.arguments
            func result(_ code: Int32, _ out: String = "") -> CommandResult { CommandResult(command: command, exitCode: code, stdout: out, stderr: "") }
            switch argv[0] {
            case "findmnt":
                let started = earlier.contains { $0.executable == "systemctl" && $0.arguments.first == "start" }
                return started ? result(0, mountedJSON) : result(1)
            case "ls": return result(2)
            case "test": return result(argv == ["test", "-d", "/run/systemd/system"] ? 0 : 1)
            default: return result(0)
            }
        })
    }

    static func fixture() throws -> String {
        try TestFixtures.text("findmnt/bind-mount.json")
    }

    @Test func findmntJSONParses() throws {
        #expect(try FindmntParser.parse(try Self.fixture()) == [.init(
            target: "/tmp/fm/dst", source: "/dev/vda[/tmp/fm/src]", fstype: "ext4", options: ["rw", "relatime", "discard", "resv_strict", "resuid=65534", "resgid=65534"])])
        #expect(try FindmntParser.parse("").isEmpty, "not a mount point: findmnt prints nothing, exit 1")
    }

    @Test func theNFSServerThatIsAHypervisorGetsABindMountStartedAndChecked() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/nfs-server-hypervisor-bind.yaml"))
        let host = try #require(spec.host(named: "hv1"))
        let mount = try #require(spec.sharedMounts(of: host).first)
        #expect(mount.source == .bind(directory: "/srv/vmstore"))
        let json = try Self.fixture().replacingOccurrences(of: "/tmp/fm/src", with: "/srv/vmstore").replacingOccurrences(of: "/tmp/fm/dst", with: mount.mountPoint)
        let transport = Self.mountingHost(mountedJSON: json)
        let context = HostContext(host: host, osFamily: spec.osFamily(of: host), transport: transport, services: SystemdServiceManager(transport: transport))
        let mounter = SharedMounter(spec: spec, context: context)
        try await mounter.preflight()
        let steps = try await mounter.mountAll(dryRun: false)
        #expect(steps.last?.text == "mounted /dev/vda[/srv/vmstore] on /var/lib/vmstore (ext4)")
        let systemctl = transport.argvs.filter { $0.first == "systemctl" }
        #expect(systemctl == [["systemctl", "daemon-reload"], ["systemctl", "start", "var-lib-vmstore.mount"]])
        // A second run finds it mounted and does nothing.
        let again = try await mounter.mountAll(dryRun: false)
        #expect(again.map(\.text) == ["/var/lib/vmstore: /dev/vda[/srv/vmstore] (ext4) already mounted"])
        #expect(transport.argvs.filter { $0.first == "systemctl" }.count == 2)
    }

    @Test func aMountOfSomethingElseIsRefused() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/nfs-server-hypervisor-bind.yaml"))
        let host = try #require(spec.host(named: "hv1"))
        let transport = Self.mountingHost(mountedJSON: try Self.fixture().replacingOccurrences(of: "/tmp/fm/dst", with: "/var/lib/vmstore"))
        _ = try await transport.run(Command("systemctl", ["start", "x"]))
        let context = HostContext(host: host, osFamily: .debian, transport: transport, services: SystemdServiceManager(transport: transport))
        await #expect(throws: SystemError.self) { try await SharedMounter(spec: spec, context: context).preflight() }
    }
}
