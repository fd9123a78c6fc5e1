import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

@Suite struct MultipathIdentityCheckTests {
    static func spec() throws -> ClusterSpec {
        try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-two-servers-chap.yaml"))
    }

    /// Every LUN as the spec predicts it, through every portal.
    static func asPredicted(_ spec: ClusterSpec) -> [SeenLUN] {
        (spec.iscsi?.allLUNs ?? []).flatMap { target, lun in
            spec.portals(of: target).map { portal in
                let identity = spec.identity(of: target, lun)
                return SeenLUN(target: target.iqn, portal: "\(portal.address):\(portal.port)", lun: lun.lun, serial: identity.serial, wwid: identity.wwid)
            }
        }
    }

    @Test func identitiesAsTheSpecFixedThemPass() throws {
        let spec = try Self.spec()
        #expect(Self.asPredicted(spec).count >= 2)
        #expect(MultipathIdentityCheck.problems(Self.asPredicted(spec), spec: spec).isEmpty)
    }

    @Test func tgtdDefaultsOnTwoServersAreRefusedWithTheFix() throws {
        let spec = try Self.spec()
        // tgtd's default identity for tid 1 / LUN 1 is the same on every server.
        let defaults = Self.asPredicted(spec).map { seen -> SeenLUN in
            var seen = seen
            seen.wwid = "360000000000000000e00000000010001"
            seen.serial = "beaf11"
            return seen
        }
        let problems = MultipathIdentityCheck.problems(defaults, spec: spec)
        #expect(problems.contains { $0.contains("have the same WWID 360000000000000000e00000000010001") && $0.contains("storagekit setup iscsi-target") })
        #expect(problems.contains { $0.contains("the spec expects") })
        #expect(problems.contains { $0.contains("the same serial beaf11 (tgtd's default)") })
    }

    @Test func aLUNWithDifferentWWIDsThroughItsPortalsIsRefused() throws {
        let spec = try Self.spec()
        var seen = Self.asPredicted(spec)
        let index = try #require(seen.indices.first { index in seen.filter { $0.target == seen[index].target && $0.lun == seen[index].lun }.count > 1 })
        seen[index].wwid = "36deadbeefdeadbeefdeadbeefdeadbee"
        #expect(MultipathIdentityCheck.problems(seen, spec: spec).contains { $0.contains("shows different WWIDs through its portals") })
    }
}
