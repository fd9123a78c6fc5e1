import Foundation
import StorageSystem

/// A kept-running command that runs nothing: `reply` answers each line, and whether the caller
/// closed (or killed) it is remembered.
public final class ScriptedSession: LineSession, @unchecked Sendable {
    public let command: Command
    private let reply: @Sendable (String) async -> LineSessionReply
    private let lock = NSLock()
    private var ended = false

    public init(command: Command, reply: @escaping @Sendable (String) async -> LineSessionReply) {
        self.command = command
        self.reply = reply
    }

    public var argv: [String] { [command.executable] + command.arguments }
    public var closed: Bool { lock.withLock { ended } }

    public func exchange(_ line: String, accept: @escaping @Sendable (String) -> Bool) async -> LineSessionReply {
        await reply(line)
    }

    public func close() { lock.withLock { ended = true } }
    public func kill() { lock.withLock { ended = true } }
}
