import StorageCheck
import StorageModel
import StorageTestSupport
import Testing

/// The one identity rule, as `multipath setup` and `check` both use it.
@Suite struct LUNIdentityRuleTests {
    static func spec() throws -> ClusterSpec {
        try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-two-servers-chap.yaml"))
    }

    /// Every LUN as the spec predicts it, through every portal, from hv1.
    static func asPredicted(_ spec: ClusterSpec) -> [LUNSighting] {
        (spec.iscsi?.allLUNs ?? []).flatMap { target, lun in
            spec.portals(of: target).map { portal in
                let identity = spec.identity(of: target, lun)
                return LUNSighting(host: "hv1", target: target.iqn, portal: "\(portal.address):\(portal.port)", lun: lun.lun, serial: identity.serial, wwid: identity.wwid)
            }
        }
    }

    @Test func identitiesAsTheSpecFixedThemPass() throws {
        let spec = try Self.spec()
        let seen = Self.asPredicted(spec)
        #expect(seen.count >= 2)
        let (problems, agreed) = LUNIdentityRule.evaluate(seen, spec: spec)
        #expect(problems.isEmpty)
        #expect(agreed.count == spec.iscsi?.allLUNs.count)
    }

    @Test func tgtdDefaultsOnTwoServersAreRefusedWithTheFix() throws {
        let spec = try Self.spec()
        // tgtd's default identity for tid 1 / LUN 1 is the same on every server.
        let defaults = Self.asPredicted(spec).map { seen -> LUNSighting in
            var seen = seen
            seen.wwid = "360000000000000000e00000000010001"
            seen.serial = "beaf11"
            return seen
        }
        let problems = LUNIdentityRule.evaluate(defaults, spec: spec).problems
        #expect(problems.contains { $0.isSharing && $0.message.contains("the same WWID 360000000000000000e00000000010001") && $0.fix("storagekit setup iscsi-target").contains("storagekit setup iscsi-target") })
        #expect(problems.contains { if case .notTheSpecs = $0 { true } else { false } })
        #expect(problems.contains { $0.message.contains("the same serial beaf11 (tgtd's default)") })
    }

    @Test func aLUNWithDifferentWWIDsThroughItsPortalsIsRefused() throws {
        let spec = try Self.spec()
        var seen = Self.asPredicted(spec)
        let index = try #require(seen.indices.first { index in seen.filter { $0.target == seen[index].target && $0.lun == seen[index].lun }.count > 1 })
        seen[index].wwid = "36deadbeefdeadbeefdeadbeefdeadbee"
        #expect(LUNIdentityRule.evaluate(seen, spec: spec).problems.contains { $0.message.contains("is not one disk everywhere") && $0.lun?.lun == seen[index].lun })
    }

    @Test func aLUNWithoutADesignatorIsSaidAsSuch() throws {
        let spec = try Self.spec()
        var seen = Self.asPredicted(spec)
        seen[0].wwid = nil
        let problems = LUNIdentityRule.evaluate(seen, spec: spec).problems
        #expect(problems.contains { $0.message.contains("no NAA designator") && $0.hosts == ["hv1"] })
    }
}
