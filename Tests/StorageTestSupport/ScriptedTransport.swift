import Foundation
import StorageSystem

/// A host that runs nothing: `reply` answers each command, from the command alone or also from
/// those run before it (a lock taken, a unit started), and every command is remembered. With
/// `session`, the host also keeps commands running to answer line by line.
public final class ScriptedTransport: Transport, @unchecked Sendable {
    public typealias Reply = @Sendable (Command) async throws(SystemError) -> CommandResult
    public typealias ReplyAfter = @Sendable (_ command: Command, _ earlier: [Command]) async throws(SystemError) -> CommandResult

    public let host: String
    private let reply: ReplyAfter
    private let session: (@Sendable (Command) -> ScriptedSession)?
    private let lock = NSLock()
    private var ran: [Command] = []
    private var started: [ScriptedSession] = []

    public convenience init(host: String, session: (@Sendable (Command) -> ScriptedSession)? = nil, reply: @escaping Reply) {
        self.init(host: host, session: session, replyAfter: { command, _ throws(SystemError) in try await reply(command) })
    }

    public init(host: String, session: (@Sendable (Command) -> ScriptedSession)? = nil, replyAfter: @escaping ReplyAfter) {
        self.host = host
        self.session = session
        self.reply = replyAfter
    }

    public var commands: [Command] { lock.withLock { ran } }
    public var argvs: [[String]] { commands.map { [$0.executable] + $0.arguments } }
    /// The sessions handed out, in order.
    public var sessions: [ScriptedSession] { lock.withLock { started } }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        let earlier = lock.withLock {
            defer { ran.append(command) }
            return ran
        }
        return try await reply(command, earlier)
    }

    public func startSession(_ command: Command) -> (any LineSession)? {
        guard let made = session?(command) else { return nil }
        lock.withLock { started.append(made) }
        return made
    }
}
