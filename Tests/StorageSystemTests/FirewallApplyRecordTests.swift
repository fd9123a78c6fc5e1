import Foundation
import StorageModel
import Testing
@testable import StorageSystem

/// `firewall confirm` with no timer pending: which of its cases it is, from the host's record.
@Suite struct FirewallApplyRecordTests {
    let at = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func anApplyThatChangedNothingOrSavedAtOnceHasNothingToConfirm() {
        let unchanged = FirewallApplyRecord(appliedAt: at, backend: .nftables, changed: false, confirmWithinSeconds: nil)
        #expect(unchanged.nothingPending == .unchanged(at: at) && unchanged.nothingPending.exitCode == 0)
        #expect(unchanged.nothingPending.message(host: "nfs").contains("changed nothing"))
        let saved = FirewallApplyRecord(appliedAt: at, backend: .iptables, changed: true, confirmWithinSeconds: nil)
        #expect(saved.nothingPending == .savedAtOnce(at: at) && saved.nothingPending.exitCode == 0)
        let confirmed = FirewallApplyRecord(appliedAt: at, backend: .iptables, changed: true, confirmWithinSeconds: 60, confirmedAt: at + 10)
        #expect(confirmed.nothingPending == .alreadyConfirmed(at: at + 10) && confirmed.nothingPending.exitCode == 0)
    }

    @Test func aTimerThatFiredIsLoudAndSaysWhenAndWhatCameBack() {
        let fired = FirewallApplyRecord(appliedAt: at, backend: .nftables, changed: true, confirmWithinSeconds: 60)
        #expect(fired.nothingPending == .rolledBack(appliedAt: at, after: 60, backend: .nftables))
        #expect(fired.nothingPending.exitCode == 1)
        let message = fired.nothingPending.message(host: "nfs")
        #expect(message.contains("NOT confirmed") && message.contains("not confirmed within 60 s") && message.contains(NFTablesApplier.savedTable), "\(message)")
        #expect(message.contains(at.addingTimeInterval(60).formatted(Date.ISO8601FormatStyle())), "\(message)")
        #expect(FirewallApplyRecord.NothingPending.noRecord.exitCode == 1)
    }

    @Test func theRecordRoundTripsAndAnythingElseIsSaidToBeUnreadable() throws {
        let record = FirewallApplyRecord(appliedAt: at, backend: .nftables, changed: true, confirmWithinSeconds: 30)
        #expect(try FirewallApplyRecord.decoded(record.encoded()) == record)
        #expect(throws: (any Error).self) { try FirewallApplyRecord.decoded("not json") }
        let unreadable = FirewallApplyRecord.NothingPending.unreadableRecord("not JSON")
        #expect(unreadable.exitCode == 1 && unreadable.message(host: "nfs").contains("cannot be read (not JSON)"))
    }
}
