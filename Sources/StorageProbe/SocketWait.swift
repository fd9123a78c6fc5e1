/// How a probe waits on its socket: until its work is finished, the connection fails, or its
/// deadline passes. The deadline measures the network, not this process: once it has passed,
/// the socket is looked at again without waiting, and whatever arrived while the process was
/// not running (a loaded machine, dozens of probes at once) is still read and counted.
/// Only a look that finds nothing new after the deadline is a timeout.
public enum SocketWait {
    public enum Outcome: Sendable, Equatable {
        case finished
        case timedOut
        case failed
    }

    /// Looks after the deadline while replies keep coming; bounds a peer that never stops.
    static let lastLooks = 64

    /// - Parameters:
    ///   - poll: waits up to the given milliseconds for the socket (0: only looks) and returns
    ///     its revents (0 when nothing happened).
    ///   - service: handles those events; false when the connection failed.
    public static func run(
        deadline: ContinuousClock.Instant, now: () -> ContinuousClock.Instant = { ContinuousClock.now },
        poll: (Int32) -> Int16, service: (Int16) -> Bool, finished: () -> Bool
    ) -> Outcome {
        var looksLeft = lastLooks
        while !finished() {
            let remaining = deadline - now()
            let overtime = remaining <= .zero
            let revents = poll(overtime ? 0 : min(Int32(remaining.milliseconds) + 1, 100))
            if !service(revents) && !finished() { return .failed }
            if overtime && !finished() {
                looksLeft -= 1
                if revents == 0 || looksLeft == 0 { return .timedOut }
            }
        }
        return .finished
    }
}
