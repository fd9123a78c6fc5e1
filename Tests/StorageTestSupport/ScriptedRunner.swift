import Foundation
import StorageSystem

/// A command runner that runs nothing: `reply` answers each command (by default exit 0, no
/// output), and every command and every session asked for is remembered.
public final class ScriptedRunner: CommandRunner, @unchecked Sendable {
    public typealias Reply = @Sendable (Command) async throws(SystemError) -> CommandResult

    private let lock = NSLock()
    private var ran: [Command] = []
    private var asked: [Command] = []
    private var answer: Reply

    public init(reply: @escaping Reply = { CommandResult(command: $0, exitCode: 0, stdout: "", stderr: "") }) {
        answer = reply
    }

    public var commands: [Command] { lock.withLock { ran } }
    /// Commands asked to keep running (`startSession`): none is started, callers fall back to
    /// one command per request.
    public var sessions: [Command] { lock.withLock { asked } }

    /// How the next commands are answered (a tool upgraded between two runs).
    public var reply: Reply {
        get { lock.withLock { answer } }
        set { lock.withLock { answer = newValue } }
    }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        let reply = lock.withLock {
            ran.append(command)
            return answer
        }
        return try await reply(command)
    }

    public func startSession(_ command: Command) -> (any LineSession)? {
        lock.withLock { asked.append(command) }
        return nil
    }
}
