import Foundation
import StorageSystem

/// A host that takes 5 s to answer anything and ignores cancellation, as a hung ssh does: what
/// waits on it must give up on its own deadline.
public struct StuckTransport: Transport {
    public let host: String

    public init(host: String) { self.host = host }

    public func run(_ command: Command) async throws(CommandError) -> CommandResult {
        // Not Task.sleep: that would end early when the caller's task is cancelled.
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { continuation.resume() }
        }
        return CommandResult(command: command, exitCode: 0, stdout: "{}", stderr: "")
    }
}
