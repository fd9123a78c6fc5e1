import Testing

/// Polls `condition` until it holds, for at most `timeout`. A timeout is recorded as an issue
/// at the caller, not thrown, so the test goes on to say what it then sees; false tells the
/// caller to stop where going on makes no sense.
@discardableResult
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(15), every interval: Duration = .milliseconds(200),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: interval)
    }
    Issue.record("timed out after \(timeout) waiting until \(what)", sourceLocation: sourceLocation)
    return false
}
