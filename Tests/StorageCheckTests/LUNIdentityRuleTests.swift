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

    /// tgtd and LIO targets in one cluster (iscsi.lun.unique): each LUN is one disk with the
    /// identity the spec fixed, and no two share a serial or a WWID; a LIO LUN that reported a
    /// tgt LUN's WWID would be named.
    @Test func aClusterOfTgtAndLIOTargetsHasNoSharedIdentity() throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-lio-and-tgt.yaml"))
        let implementations = Set((spec.iscsi?.targets ?? []).map(\.implementation))
        #expect(implementations == [.tgt, .lio])
        let seen = Self.asPredicted(spec)
        let (problems, agreed) = LUNIdentityRule.evaluate(seen, spec: spec)
        #expect(problems.isEmpty, "\(problems)")
        #expect(agreed.count == 4)
        let tgt = try #require(seen.first { $0.target == "iqn.2026-11.org.example.san2:db" })
        let clashing = seen.map { sighting -> LUNSighting in
            var sighting = sighting
            if sighting.target == "iqn.2026-11.org.example.san3:logs" { sighting.wwid = tgt.wwid }
            return sighting
        }
        let shared = LUNIdentityRule.evaluate(clashing, spec: spec).problems.filter {
            if case .shared(.wwid, let value, _, _) = $0 { value == tgt.wwid } else { false }
        }
        #expect(shared.count == 1, "\(LUNIdentityRule.evaluate(clashing, spec: spec).problems)")
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
