import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// `plan` and `setup iscsi-target` on a LIO server: configfs read through the host's
/// transport, the changes as plan steps, refusals as conflicts.
@Suite struct LIOPlanTests {
    /// A san whose configfs is the kernel lab's capture (nil: LIO not loaded).
    static func server(_ capture: String?, files: [String: UInt64] = [:]) -> ScriptedTransport {
        let fresh = KnfsdSetupSequenceTests.freshServer("san")
        let tree = capture.map { try! TestFixtures.text("lio/configfs-tree-\($0).txt") }
        let values = capture.map { try! TestFixtures.text("lio/configfs-values-\($0).txt") }
        return ScriptedTransport(host: "san") { command throws(SystemError) in
            let argv = [command.executable] + command.arguments
            func result(_ code: Int32, _ stdout: String = "") -> CommandResult { CommandResult(command: command, exitCode: code, stdout: stdout, stderr: "") }
            switch argv[0] {
            case "test" where argv.last == LIOConfigfsParser.root: return result(capture == nil ? 1 : 0)
            case "stat" where argv.contains("%s") && files[argv.last ?? ""] != nil: return result(0, "\(files[argv.last!]!)\n")
            case "find" where tree != nil: return result(0, tree!)
            case "grep" where values != nil: return result(0, values!)
            default: return try await fresh.run(command)
            }
        }
    }

    static func plan(_ capture: String?, files: [String: UInt64] = [:], spec edit: (String) -> String = { $0 }) async throws -> HostPlan {
        let spec = try LIOReconcilerTests.spec(edit)
        let server = try #require(spec.host(named: "san"))
        let transport = Self.server(capture, files: files)
        let context = HostContext(host: server, osFamily: spec.osFamily(of: server), transport: transport, services: SystemdServiceManager(transport: transport))
        return try await HostPlanner(spec: spec, context: context, secrets: LIOReconcilerTests.secrets, parts: [.iscsiTarget]).plan()
    }

    @Test func aServerWithoutLIOLoadedGetsItsModulesThenTheTargets() async throws {
        let plan = try await Self.plan(nil)
        let kinds = plan.actions.map(\.kind)
        #expect(kinds.contains("configfs"))
        let load = try #require(plan.actions.firstIndex { $0.summary.hasPrefix("load LIO") })
        let reconcile = try #require(plan.actions.firstIndex { if case .reconcileLIO = $0.operation { true } else { false } })
        #expect(load < reconcile)
        #expect(plan.actions.contains { $0.summary.contains("/etc/rtslib-fb-target/saveconfig.json") }, "the file a reboot restores")
    }

    @Test func theCapturedServerPlansNothingAndAnInUseRemovalIsAConflict() async throws {
        let same = try await Self.plan("targetctl")
        #expect(!same.actions.contains { $0.kind == "configfs" }, "\(same.actions.map(\.summary))")
        let fewer = try await Self.plan("targetctl") { $0.replacingOccurrences(of: "initiators: [hv1, hv2]", with: "initiators: [hv1]") }
        #expect(fewer.conflicts.map(\.change) == ["iqn.2026-11.storagekit.kllio:hv2 is no longer allowed"])
    }

    @Test func aFileioLUNWithoutASizeInTheSpecTakesItsFilesSize() async throws {
        let plan = try await Self.plan("targetctl", files: ["/srv/iscsi/vmstore1.img": 67_108_864]) {
            $0.replacingOccurrences(of: "vmstore1.img, size: 128M}", with: "vmstore1.img}")
        }
        let steps = plan.actions.compactMap { if case .lio(let operation) = $0.operation { operation.steps } else { nil } }.flatMap { $0 }
        // The live object is 128M: the spec now means the file's 64M, so it is replaced, under
        // hv1 and hv2 (a conflict), with LIO told the size.
        #expect(steps.contains(.write("core/fileio_0/vmstore-1/control", "fd_dev_name=/srv/iscsi/vmstore1.img,fd_dev_size=67108864")), "\(steps)")
        #expect(plan.conflicts.contains { $0.change.hasPrefix("LUN 1 changes") })
    }
}
