import Foundation
import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// The configfs steps `setup iscsi-target` takes on a LIO server, against the state the kernel
/// lab's san guest really had (Tests/Fixtures/lio/README.md).
@Suite struct LIOReconcilerTests {
    static let secretFile = "/run/storagekit/kllio-chap.secret"
    static let secrets = [secretFile: "LAB-CHAP-SECRET-REDACTED"]

    static func spec(_ edit: (String) -> String = { $0 }) throws -> ClusterSpec {
        let text = try String(contentsOf: TestSpecs.packageRoot.appendingPathComponent("examples/kernel-lab-lio.yaml"), encoding: .utf8)
        return try SpecLoader.load(yaml: edit(text)).spec
    }

    static func live(_ name: String, loggedIn: Bool = true) throws -> LIOLiveState {
        var values = try TestFixtures.text("lio/configfs-values-\(name).txt")
        if !loggedIn { values = values.replacingOccurrences(of: "TARG_SESS_STATE_LOGGED_IN", with: "TARG_SESS_STATE_FREE") }
        return try LIOConfigfsParser.parse(tree: try TestFixtures.text("lio/configfs-tree-\(name).txt"), values: values)
    }

    static func reconcile(_ spec: ClusterSpec, _ live: LIOLiveState, secrets: [String: String] = secrets) -> LIOReconciler.Result {
        LIOReconciler.reconcile(desired: LIODesiredTarget.all(spec, host: "san"), live: live, secrets: secrets)
    }

    @Test(arguments: ["two-sessions", "targetctl"])
    func whatTheSpecAlreadyMadeIsLeftAsItIs(_ name: String) throws {
        // Made by storagekit through configfs, or by `targetctl restore` of the saveconfig.json it
        // renders: either way nothing to do, and so nothing disturbs the logged-in hosts.
        let result = Self.reconcile(try Self.spec(), try Self.live(name))
        #expect(result.operations.isEmpty, "\(result.operations.map(\.summary))")
        #expect(result.conflicts.isEmpty && result.notes.isEmpty)
    }

    @Test func anEmptyLIOGetsEverythingObjectsFirstAndTheTPGEnabledLast() throws {
        let result = Self.reconcile(try Self.spec(), LIOLiveState())
        let steps = result.operations.flatMap(\.steps)
        let first = try #require(steps.firstIndex(of: .makeDirectory("core/fileio_0")))
        let fabric = try #require(steps.firstIndex(of: .makeDirectory("iscsi")))
        #expect(first < fabric)
        #expect(steps.last == .write("iscsi/iqn.2026-12.kllio.san:vmstore/tpgt_1/enable", "1"))
        let object = "core/fileio_0/vmstore-1"
        #expect(steps.contains(.write("\(object)/control", "fd_dev_name=/srv/iscsi/vmstore1.img,fd_dev_size=134217728")))
        #expect(steps.contains(.write("\(object)/wwn/vpd_unit_serial", "SK4C69232CFD49057F3D6BBF26FB3CE9")))
        #expect(steps.contains(.link(object, at: "iscsi/iqn.2026-12.kllio.san:vmstore/tpgt_1/lun/lun_1/vmstore-1")))
        #expect(steps.contains(.makeDirectory("iscsi/iqn.2026-12.kllio.san:vmstore/tpgt_1/np/10.94.2.5:3260")))
        #expect(steps.contains(.writeSecret("iscsi/iqn.2026-12.kllio.san:vmstore/tpgt_1/acls/iqn.2026-11.storagekit.kllio:hv1/auth/password", file: Self.secretFile)))
        // The secret travels on stdin at apply time, never in a plan or an argv.
        #expect(!result.operations.map(\.summary).joined().contains("LAB-CHAP"))
        let command = LIOStep.writeSecret("x/auth/password", file: Self.secretFile).command(secret: "s3cret")
        #expect(command.stdin == "s3cret" && !command.arguments.joined().contains("s3cret"))
        #expect(!steps.contains { if case .makeDirectory(let path) = $0 { path.hasSuffix("hv3") } else { false } }, "hv3 is outside the ACL")
        #expect(result.conflicts.isEmpty)
    }

    @Test func aChangedSecretIsWrittenAgainWithoutDisturbingAnyone() throws {
        let result = Self.reconcile(try Self.spec(), try Self.live("two-sessions"), secrets: [Self.secretFile: "a-new-secret"])
        #expect(result.operations.map(\.summary) == [
            "set the CHAP secret (from \(Self.secretFile)) for iqn.2026-11.storagekit.kllio:hv1",
            "set the CHAP secret (from \(Self.secretFile)) for iqn.2026-11.storagekit.kllio:hv2",
        ])
        #expect(result.conflicts.isEmpty, "the sessions keep running; the new secret counts at the next login")
    }

    @Test func removingALUNOrAnACLInUseIsAConflictNamingWhoIsLoggedIn() throws {
        let oneLUN = try Self.spec { $0.replacingOccurrences(of: "        - {lun: 2, backingStore: /srv/iscsi/vmstore2.img, size: 128M}\n", with: "") }
        let result = Self.reconcile(oneLUN, try Self.live("targetctl"))
        #expect(result.conflicts.contains { $0.change == "LUN 2 is removed" && $0.initiators.count == 2 }, "\(result.conflicts)")
        let noHV2 = try Self.spec { $0.replacingOccurrences(of: "initiators: [hv1, hv2]", with: "initiators: [hv1]") }
        let dropped = Self.reconcile(noHV2, try Self.live("targetctl"))
        #expect(dropped.conflicts.map(\.change) == ["iqn.2026-11.storagekit.kllio:hv2 is no longer allowed"])
        // rtslib's random link names are the ones unlinked, before the directories go.
        let steps = try #require(dropped.operations.first { $0.summary.hasPrefix("stop allowing") }).steps
        let acl = "iscsi/iqn.2026-12.kllio.san:vmstore/tpgt_1/acls/iqn.2026-11.storagekit.kllio:hv2"
        #expect(steps == [.unlink("\(acl)/lun_1/1d3a4d2b76"), .removeDirectory("\(acl)/lun_1"), .unlink("\(acl)/lun_2/eac35e051f"), .removeDirectory("\(acl)/lun_2"), .removeDirectory(acl)])
    }

    @Test func withNobodyLoggedInALUNIsRemovedUnmappedFirstWithoutConflict() throws {
        let oneLUN = try Self.spec { $0.replacingOccurrences(of: "        - {lun: 2, backingStore: /srv/iscsi/vmstore2.img, size: 128M}\n", with: "") }
        let result = Self.reconcile(oneLUN, try Self.live("two-sessions", loggedIn: false))
        #expect(result.conflicts.isEmpty)
        let removal = try #require(result.operations.first { $0.summary == "remove LUN 2 of iqn.2026-12.kllio.san:vmstore" })
        let base = "iscsi/iqn.2026-12.kllio.san:vmstore/tpgt_1"
        #expect(removal.steps.suffix(2) == [.unlink("\(base)/lun/lun_2/vmstore-2"), .removeDirectory("\(base)/lun/lun_2")])
        #expect(removal.steps.filter { if case .unlink(let path) = $0 { path.contains("/acls/") } else { false } }.count == 2)
        // The one LUN left is named `vmstore` now: a new object, the old ones left alone.
        #expect(result.notes.contains("LIO storage object core/fileio_1/vmstore-2 is not in the spec: left alone"))
    }
}
