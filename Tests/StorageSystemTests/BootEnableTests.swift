import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing
@testable import StorageSystem

/// A server storagekit sets up must serve again after a reboot: each daemon it runs (and LIO's
/// restore unit) is enabled when `systemctl is-enabled` says disabled, and left alone otherwise.
@Suite struct BootEnableTests {
    /// `inner`, but `systemctl is-enabled UNIT` answers `states[UNIT]` (systemctl's real exit
    /// codes: 0 for enabled and static, 1 otherwise).
    static func server(_ inner: ScriptedTransport, states: [String: String]) -> ScriptedTransport {
        ScriptedTransport(host: inner.host) { command throws(SystemError) in
            let argv = [command.executable] + command.arguments
            if argv.count == 3, argv[0] == "systemctl", argv[1] == "is-enabled" {
                let state = states[argv[2]] ?? "disabled"
                return CommandResult(command: command, exitCode: ["enabled", "static"].contains(state) ? 0 : 1, stdout: state + "\n", stderr: "")
            }
            return try await inner.run(command)
        }
    }

    static func plan(_ spec: ClusterSpec, host name: String, _ transport: ScriptedTransport, parts: Set<HostRenderer.Part>) async throws -> HostPlan {
        let host = try #require(spec.host(named: name))
        let context = HostContext(host: host, osFamily: spec.osFamily(of: host), transport: transport, services: SystemdServiceManager(transport: transport))
        return try await HostPlanner(spec: spec, context: context, secrets: LIOReconcilerTests.secrets, parts: parts).plan()
    }

    static func enabled(_ plan: HostPlan) -> [String] {
        plan.actions.compactMap { if case .enableService(let service) = $0.operation { service.systemdUnit } else { nil } }
    }

    @Test func aRHELTgtServerHasTgtdEnabledOnlyWhileItIsDisabled() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/xen-iscsi-multipath.yaml"))
        let fresh = KnfsdSetupSequenceTests.freshServer("san1")
        let disabled = try await Self.plan(spec, host: "san1", Self.server(fresh, states: ["tgtd": "disabled"]), parts: [.iscsiTarget])
        #expect(Self.enabled(disabled) == ["tgtd"])
        let action = try #require(disabled.actions.first { $0.kind == "enable-service" })
        #expect(action.summary == "enable tgtd (it is disabled: it would not start after a reboot)")

        for state in ["enabled", "static", "masked", "not-found", "Failed to connect to bus: No such file or directory"] {
            let plan = try await Self.plan(spec, host: "san1", Self.server(fresh, states: ["tgtd": state]), parts: [.iscsiTarget])
            #expect(Self.enabled(plan).isEmpty, "tgtd \(state)")
        }
    }

    @Test func applyRunsSystemctlEnableWithoutStartingAgain() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/xen-iscsi-multipath.yaml"))
        let transport = Self.server(KnfsdSetupSequenceTests.freshServer("san1"), states: ["tgtd": "disabled"])
        let host = try #require(spec.host(named: "san1"))
        let context = HostContext(host: host, osFamily: .rhel, transport: transport, services: SystemdServiceManager(transport: transport))
        var plan = try await HostPlanner(spec: spec, context: context, secrets: [:], parts: [.iscsiTarget]).plan()
        plan.actions = plan.actions.filter { $0.kind == "enable-service" }
        let planned = transport.commands.count
        _ = try await Applier(context: context, secrets: [:], runID: "20261207T000000Z").apply(plan)
        let ran = transport.commands.dropFirst(planned).map { ([$0.executable] + $0.arguments).joined(separator: " ") }
        #expect(ran.filter { $0.hasPrefix("systemctl") } == ["systemctl enable tgtd"])
    }

    @Test func lioHasItsRestoreUnitEnabledUnderEachDistributionsName() async throws {
        let debian = try LIOReconcilerTests.spec()
        let onDebian = try await Self.plan(debian, host: "san", Self.server(LIOPlanTests.server("targetctl"), states: ["rtslib-fb-targetctl": "disabled"]), parts: [.iscsiTarget])
        #expect(Self.enabled(onDebian) == ["rtslib-fb-targetctl"])
        let enabledAlready = try await Self.plan(debian, host: "san", Self.server(LIOPlanTests.server("targetctl"), states: ["rtslib-fb-targetctl": "enabled"]), parts: [.iscsiTarget])
        #expect(Self.enabled(enabledAlready).isEmpty)

        let rhel = try LIOReconcilerTests.spec { $0.replacingOccurrences(of: "os: debian", with: "os: rhel") }
        let onRHEL = try await Self.plan(rhel, host: "san", Self.server(LIOPlanTests.server("targetctl"), states: ["target": "disabled"]), parts: [.iscsiTarget])
        #expect(Self.enabled(onRHEL) == ["target"])
    }

    @Test func aHostWithoutSystemdHasNothingToEnable() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/xen-iscsi-multipath.yaml"))
        let fresh = KnfsdSetupSequenceTests.freshServer("san1")
        let noSystemd = ScriptedTransport(host: "san1") { command throws(SystemError) in
            if command.executable == "test" && command.arguments == ["-d", "/run/systemd/system"] {
                return CommandResult(command: command, exitCode: 1, stdout: "", stderr: "")
            }
            return try await fresh.run(command)
        }
        let plan = try await Self.plan(spec, host: "san1", noSystemd, parts: [.iscsiTarget])
        #expect(Self.enabled(plan).isEmpty)
        #expect(!noSystemd.commands.contains { $0.executable == "systemctl" && $0.arguments.first == "is-enabled" })
    }
}
