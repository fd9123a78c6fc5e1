import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// A LIO target is rendered but not loaded yet: planning its server refuses, naming the target,
/// before anything is written; a tgtd server beside it plans as before.
@Suite struct LIOPlanRefusalTests {
    static func plan(_ host: String) async throws -> HostPlan {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-lio-and-tgt.yaml"))
        let server = try #require(spec.host(named: host))
        let transport = KnfsdSetupSequenceTests.freshServer(host)
        let context = HostContext(host: server, osFamily: spec.osFamily(of: server), transport: transport, services: SystemdServiceManager(transport: transport))
        return try await HostPlanner(spec: spec, context: context, secrets: TestSpecs.secrets, parts: [.iscsiTarget]).plan()
    }

    @Test func aLIOServerIsRefusedWithTheTargetNamed() async throws {
        do {
            _ = try await Self.plan("san1")
            Issue.record("planning a LIO server should refuse")
        } catch let error as SystemError {
            #expect(error.code == .plan)
            #expect(error.description.contains("iscsi.targets[0] (iqn.2026-11.org.example.san1:vm) is served by LIO"), "\(error)")
            #expect(error.description.contains("implementation: tgt"))
        }
    }

    @Test func aTgtServerBesideItStillPlans() async throws {
        let plan = try await Self.plan("san2")
        #expect(plan.actions.contains { $0.summary.contains("/etc/tgt/conf.d/mixed.conf") }, "\(plan.actions.map(\.summary))")
    }
}
