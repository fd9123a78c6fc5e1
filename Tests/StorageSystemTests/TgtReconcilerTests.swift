import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// The reconciler against live state captured from tgtd 1.0.85 (target 1 has hv1 logged in,
/// LUN 1 with storagekit's identity, LUN 2 with tgtd's default `beaf12`; target 2 unmanaged).
@Suite struct TgtReconcilerTests {
    static let hv1 = "iqn.2026-11.storagekit.lab:hv1"

    static func live() throws -> [TgtLiveTarget] {
        try TgtadmShowParser.parse(TestFixtures.text("tgtadm/show-target-two-targets-one-session.txt"))
    }

    /// What target 1 already is, as a desired state.
    static func converged() -> TgtDesiredTarget {
        TgtDesiredTarget(
            iqn: "iqn.2026-11.lab.san1:vmstore",
            luns: [
                .init(lun: 1, backingStore: "/tmp/skf/lun1.img", scsiID: "656c4adbded4b856989736f6a0c2c86a", serial: "SKFE51B4EC87CC6A"),
                .init(lun: 2, backingStore: "/tmp/skf/lun2.img", scsiID: "IET     00010002", serial: "beaf12"),
            ],
            initiatorAddresses: ["10.99.8.11"], initiatorNames: [hv1], chapUser: nil, chapSecretFile: nil)
    }

    @Test func aConvergedTargetNeedsNothingAndOtherTargetsAreLeftAlone() throws {
        let result = TgtReconciler.reconcile(desired: [Self.converged()], live: try Self.live(), accounts: ["vmuser"])
        #expect(result.operations.isEmpty)
        #expect(result.conflicts.isEmpty)
        #expect(result.unmanaged == ["iqn.2026-11.lab.san1:empty"])
    }

    @Test func aNewTargetGetsTheNextTidItsLUNsIdentityACLAndCHAPInOrder() throws {
        let fresh = TgtDesiredTarget(
            iqn: "iqn.2026-11.lab.san1:new", luns: [.init(lun: 1, backingStore: "/srv/a.img", scsiID: "6abc", serial: "SKA")],
            initiatorAddresses: ["10.99.8.12"], initiatorNames: [], chapUser: "vmuser", chapSecretFile: "/etc/storagekit/vm.chap")
        let result = TgtReconciler.reconcile(desired: [Self.converged(), fresh], live: try Self.live(), accounts: ["vmuser"])
        #expect(result.operations == [
            .newTarget(tid: 3, iqn: "iqn.2026-11.lab.san1:new"),
            .newLUN(tid: 3, lun: 1, backingStore: "/srv/a.img"),
            .setLUNIdentity(tid: 3, lun: 1, scsiID: "6abc", serial: "SKA"),
            .bindAddress(tid: 3, "10.99.8.12"),
            // vmuser exists already: bound, not created again.
            .bindAccount(tid: 3, user: "vmuser"),
        ])
    }

    @Test func changingALUNUnderALoggedInInitiatorIsAConflictNamingIt() throws {
        var desired = Self.converged()
        desired.luns[1].serial = "SKNEW"
        desired.luns[1].scsiID = "6new"
        let result = TgtReconciler.reconcile(desired: [desired], live: try Self.live(), accounts: [])
        #expect(result.conflicts.count == 1)
        #expect(result.conflicts.first?.initiators == [Self.hv1])
        #expect(result.conflicts.first?.description.contains("serial beaf12 → SKNEW") == true)
        #expect(result.operations == [.setLUNIdentity(tid: 1, lun: 2, scsiID: "6new", serial: "SKNEW")])
    }

    @Test func removingALUNOrAnAddressOfALoggedInInitiatorIsAConflictToo() throws {
        var desired = Self.converged()
        desired.luns.removeLast()
        desired.initiatorAddresses = []
        let result = TgtReconciler.reconcile(desired: [desired], live: try Self.live(), accounts: [])
        #expect(result.conflicts.map(\.change).sorted() == ["10.99.8.11 is no longer allowed", "LUN 2 (/tmp/skf/lun2.img) is removed"])
    }

    /// hv1 logged in from `address`, with `acl` as target 1's live ACL.
    static func live(sessionFrom address: String, acl: [String]) throws -> [TgtLiveTarget] {
        var live = try Self.live()
        live[0].sessions[0].addresses = [address]
        live[0].acl = acl
        return live
    }

    @Test func droppingAnAddressThatIsOnlyAPrefixOfALoggedInOneIsNoConflict() throws {
        let live = try Self.live(sessionFrom: "10.96.12.11", acl: ["10.96.12.11", "10.96.12.1", Self.hv1])
        var desired = Self.converged()
        desired.initiatorAddresses = ["10.96.12.11"]
        let result = TgtReconciler.reconcile(desired: [desired], live: live, accounts: [])
        #expect(result.conflicts.isEmpty)
        #expect(result.operations == [.unbindAddress(tid: 1, "10.96.12.1")])
    }

    @Test func droppingANetworkOrALLIsAConflictOnlyWhenItHoldsALoggedInAddress() throws {
        let live = try Self.live(sessionFrom: "10.96.12.11", acl: ["10.96.12.11", "10.96.13.0/24", "10.96.12.0/24", "ALL", Self.hv1])
        var desired = Self.converged()
        desired.initiatorAddresses = ["10.96.12.11"]
        let result = TgtReconciler.reconcile(desired: [desired], live: live, accounts: [])
        #expect(result.conflicts.map(\.change) == ["10.96.12.0/24 is no longer allowed", "ALL is no longer allowed"])
        #expect(result.conflicts.first?.initiators == [Self.hv1])
        #expect(result.operations == [
            .unbindAddress(tid: 1, "10.96.13.0/24"),
            // Conflicts are still planned; apply refuses them unless forced.
            .unbindAddress(tid: 1, "10.96.12.0/24"), .unbindAddress(tid: 1, "ALL"),
        ])
    }

    @Test func withoutSessionsTheSameChangesAreJustOperations() throws {
        var live = try Self.live()
        live[0].sessions = []
        var desired = Self.converged()
        desired.luns.removeLast()
        desired.initiatorNames = []
        let result = TgtReconciler.reconcile(desired: [desired], live: live, accounts: [])
        #expect(result.conflicts.isEmpty)
        #expect(result.operations == [.unbindName(tid: 1, Self.hv1), .deleteLUN(tid: 1, lun: 2)])
    }

    @Test func theCHAPSecretOnlyEverAppearsRedacted() {
        let command = TgtOperation.newAccount(user: "vmuser", secretFile: "/etc/storagekit/vm.chap").command(secret: "s3cr3t-value")
        #expect(command.arguments.contains("s3cr3t-value"))
        #expect(!command.description.contains("s3cr3t-value"))
        #expect(command.description.contains("--password ********"))
        #expect(!TgtOperation.newAccount(user: "vmuser", secretFile: "/etc/storagekit/vm.chap").summary.contains("s3cr3t"))
    }

    @Test func portalsOnTheDefaultPortAreCoveredByTgtdsWildcardOthersAreAdded() throws {
        let live = try TgtadmListParser.portals(try TestFixtures.text("tgtadm/show-portal-default.txt"))
        #expect(live == [Portal(address: "[::]", port: 3260), Portal(address: "0.0.0.0", port: 3260)])
        var desired = Self.converged()
        desired.portals = [Portal(address: "10.99.8.5", port: 3260), Portal(address: "10.99.9.5", port: 3261)]
        let result = TgtReconciler.reconcile(desired: [desired], live: try Self.live(), accounts: [], portals: live)
        #expect(result.operations == [.newPortal(address: "10.99.9.5", port: 3261)])
        #expect(result.operations[0].command().arguments.suffix(2) == ["--param", "portal=10.99.9.5:3261"])
    }
}
