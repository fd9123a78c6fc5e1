/// A command that stays up and answers one line of output for each line it is sent (`storagekit
/// facts --session`): one process for several requests, instead of one process per request.
public protocol LineSession: Sendable {
    /// Sends `line` (a newline is added) and waits for the next line of output that `accept`
    /// takes (others are skipped: a login script's greeting); `.ended` when the process ended
    /// first. The caller bounds the wait (and ends the session on a timeout).
    func exchange(_ line: String, accept: @escaping @Sendable (String) -> Bool) async -> LineSessionReply
    /// Closes the command's standard input: it ends on its own, or at its command's deadline.
    func close()
    /// Ends the command now (SIGKILL): a caller that stopped waiting for an answer.
    func kill()
}

public enum LineSessionReply: Sendable, Equatable {
    case line(String)
    /// The command ended (or could not start) before answering.
    case ended(exitCode: Int32?, signal: Int32?, stderr: String)
}

extension LineSession {
    /// The next line of output, whatever it is.
    public func exchange(_ line: String) async -> LineSessionReply {
        await exchange(line, accept: { _ in true })
    }
}

extension CommandRunner {
    /// nil: this runner cannot keep a command running (a recording runner); callers fall back to
    /// one command per request.
    public func startSession(_ command: Command) -> (any LineSession)? { nil }
}

extension Transport {
    public func startSession(_ command: Command) -> (any LineSession)? { nil }
}
