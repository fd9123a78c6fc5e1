import Foundation
import StorageSystem

/// A host that takes `StuckTransport.delay` (30 s) to answer anything and ignores cancellation,
/// as a hung ssh does: what waits on it must give up on its own deadline.
public struct StuckTransport: Transport {
    public static let delay = 30
    public let host: String

    public init(host: String) { self.host = host }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        // Not Task.sleep: that would end early when the caller's task is cancelled.
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Self.delay)) { continuation.resume() }
        }
        return CommandResult(command: command, exitCode: 0, stdout: "{}", stderr: "")
    }
}
