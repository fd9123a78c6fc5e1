import Foundation
import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// A hypervisor with open-iscsi and no records yet, answering as iscsiadm does (exit 21 "No
/// records found" / "No active sessions", exit 15 when a session already exists).
final class FreshHypervisorTransport: Transport, @unchecked Sendable {
    let host: String
    private(set) var commands: [Command] = []
    private var records = Set<String>()

    init(host: String) { self.host = host }

    func run(_ command: Command) async throws(SystemError) -> CommandResult {
        commands.append(command)
        let argv = [command.executable] + command.arguments
        func result(_ code: Int32, _ out: String = "", _ err: String = "") -> CommandResult { CommandResult(command: command, exitCode: code, stdout: out, stderr: err) }
        if argv.contains("probe") {
            return result(0, #"{"portal":"x","targets":[{"iqn":"t","portals":[],"luns":[{"lun":1,"serial":"SK1","sizeBytes":1,"blockSize":512,"vendor":"IET","product":"VIRTUAL-DISK","ready":true}]}],"timingsMs":{}}"#)
        }
        switch argv[0] {
        case "stat", "test": return result(1, "", "No such file or directory\n")
        case "iscsiadm":
            if argv == ["iscsiadm", "-m", "session"] { return result(21, "", "iscsiadm: No active sessions.\n") }
            // As in the namespace lab: no iscsid to discover through.
            if argv.contains("discovery") { return result(4, "", "iscsiadm: can not connect to iSCSI daemon (111)!\niscsiadm: Could not perform SendTargets discovery: iSCSI daemon is not running\n") }
            let key = "\(argv[argv.firstIndex(of: "-T")! + 1]) \(argv[argv.firstIndex(of: "-p")! + 1])"
            if argv.contains("new") { records.insert(key); return result(0, "New iSCSI node [...] added\n") }
            if argv.contains("--login") {
                return key.hasSuffix("10.20.0.5:3260")
                    ? result(0, "Login to [iface: default, target: …, portal: 10.20.0.5,3260] successful.\n")
                    : result(15, "", "iscsiadm: default: 1 session requested, but 1 already present.\n")
            }
            if argv.contains("update") { return result(0) }
            return records.contains(key) ? result(0, "node.startup = manual\n") : result(21, "", "iscsiadm: No records found\n")
        default: return result(0)
        }
    }
}

@Suite struct ISCSIInitiatorSequenceTests {
    @Test func recordsForEveryPortalCHAPRedactedAndExit15CountsAsLoggedIn() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-two-servers-chap.yaml"))
        let host = try #require(spec.hosts.first { $0.has(.hypervisor) && !ISCSINode.all(spec, host: $0).isEmpty })
        let nodes = ISCSINode.all(spec, host: host)
        #expect(nodes.count >= 2)
        let transport = FreshHypervisorTransport(host: host.name)
        let context = HostContext(host: host, osFamily: spec.osFamily(of: host), transport: transport, services: SystemdServiceManager(transport: transport))
        let initiator = ISCSIInitiator(spec: spec, context: context, secrets: TestSpecs.secrets, storagekit: ["/usr/bin/storagekit"])

        #expect(try await initiator.writeInitiatorName(dryRun: false)?.text.contains("InitiatorName=\(spec.initiatorName(of: host))") == true)
        let preflight = await initiator.preflight()
        #expect(preflight.count == nodes.count && preflight.allSatisfy(\.ok))
        let probes = transport.commands.filter { $0.arguments.contains("probe") }
        #expect(probes.allSatisfy { !$0.arguments.contains("golden-secret-01") }, "the secret goes on stdin")
        #expect(probes.contains { $0.arguments.contains("--chap-secret-stdin") && $0.stdin == "golden-secret-01" })

        let records = try await initiator.records(dryRun: false)
        #expect(records.contains { $0.text.contains("discovery via") && $0.text.contains("created directly") })
        #expect(records.filter { $0.text.hasPrefix("created node record") }.count == nodes.count)
        let updates = transport.commands.filter { $0.arguments.contains("update") }
        let password = try #require(updates.first { $0.arguments.contains("node.session.auth.password") })
        #expect(password.description.contains("********") && !password.description.contains("golden-secret-01"))
        #expect(updates.contains { $0.arguments.suffix(4) == ["-n", "node.session.timeo.replacement_timeout", "-v", "15"] })

        let login = try await initiator.login(dryRun: false)
        #expect(login.count == nodes.count, "exit 15 (session already present) is success: \(login)")
    }

    @Test func sessionListParses() throws {
        let sessions = try ISCSISessionListParser.parse("tcp: [1] 10.99.1.5:3260,1 iqn.2026-11.lab.san:vmstore (non-flash)\ntcp: [2] 10.99.2.5:3260,1 iqn.2026-11.lab.san:vmstore (non-flash)\n")
        #expect(sessions == [
            .init(id: 1, portal: "10.99.1.5:3260", target: "iqn.2026-11.lab.san:vmstore"),
            .init(id: 2, portal: "10.99.2.5:3260", target: "iqn.2026-11.lab.san:vmstore"),
        ])
        #expect(throws: ToolOutputError(tool: "iscsiadm -m session", line: 2, text: "iscsiadm: something new", reason: "not `TRANSPORT: [SID] PORTAL,TPGT IQN`")) {
            try ISCSISessionListParser.parse("tcp: [1] 10.99.1.5:3260,1 iqn.2026-11.lab.san:vmstore (non-flash)\niscsiadm: something new\n")
        }
    }
}
