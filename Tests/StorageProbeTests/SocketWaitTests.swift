import Foundation
import Testing
@testable import StorageProbe

/// The deadline rule of every probe: it measures the network, not this process.
@Suite struct SocketWaitTests {
    /// A clock that moves only when told.
    final class Clock: @unchecked Sendable {
        let start = ContinuousClock.now
        var offset = Duration.zero
        var now: ContinuousClock.Instant { start + offset }
    }

    @Test func aReplyThatArrivedWhileTheProcessWasBusyStillCounts() {
        let clock = Clock()
        let deadline = clock.now + .milliseconds(500)
        var arrived = false
        var finished = false
        var waits: [Int32] = []
        let outcome = SocketWait.run(
            deadline: deadline, now: { clock.now },
            poll: { milliseconds in
                waits.append(milliseconds)
                if milliseconds > 0 {
                    // Descheduled for 2 s while the reply came in: the first look sees nothing
                    // (the process was not running), the clock is far past the deadline.
                    clock.offset += .seconds(2)
                    arrived = true
                    return 0
                }
                return arrived ? Int16(POLLIN) : 0
            },
            service: { revents in
                if revents & Int16(POLLIN) != 0 { finished = true }
                return true
            },
            finished: { finished })
        #expect(outcome == .finished)
        #expect(waits.last == 0, "the reply was read by a look without waiting, after the deadline")
    }

    @Test func nothingAfterTheDeadlineIsATimeoutAfterOneLastLook() {
        let clock = Clock()
        let deadline = clock.now + .milliseconds(300)
        var looks = 0
        let outcome = SocketWait.run(
            deadline: deadline, now: { clock.now },
            poll: { milliseconds in
                looks += 1
                clock.offset += .milliseconds(Int64(max(milliseconds, 1)))
                return 0
            },
            service: { _ in true }, finished: { false })
        #expect(outcome == .timedOut)
        #expect(looks >= 3 && looks < 10)
    }

    @Test func aStartedProbeWaitsItsWholeTimeFromItsOwnStart() {
        // The deadline is set when the first packet leaves: however late that is, the probe
        // gets its whole limit, in polls of at most 100 ms.
        let clock = Clock()
        clock.offset = .seconds(30)
        let deadline = clock.now + .milliseconds(450)
        var waited = Duration.zero
        let outcome = SocketWait.run(
            deadline: deadline, now: { clock.now },
            poll: { milliseconds in
                #expect(milliseconds <= 100)
                clock.offset += .milliseconds(Int64(milliseconds))
                waited += .milliseconds(Int64(milliseconds))
                return 0
            },
            service: { _ in true }, finished: { false })
        #expect(outcome == .timedOut)
        #expect(waited >= .milliseconds(450))
    }

    @Test func aFailedConnectionFailsAtOnce() {
        var polls = 0
        let outcome = SocketWait.run(
            deadline: ContinuousClock.now + .seconds(30),
            poll: { _ in polls += 1; return Int16(POLLERR) },
            service: { _ in false }, finished: { false })
        #expect(outcome == .failed)
        #expect(polls == 1)
    }

    @Test func aPeerThatNeverStopsSendingCannotHoldTheProbePastItsLastLooks() {
        let clock = Clock()
        let deadline = clock.now
        var looks = 0
        let outcome = SocketWait.run(
            deadline: deadline, now: { clock.now },
            poll: { _ in looks += 1; return Int16(POLLIN) },
            service: { _ in true }, finished: { false })
        #expect(outcome == .timedOut)
        #expect(looks == SocketWait.lastLooks)
    }
}
