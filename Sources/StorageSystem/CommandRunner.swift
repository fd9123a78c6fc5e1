/// One external command: an argv array (never a shell string), a deadline, optional stdin (the
/// place for secrets: never argv, which any user can read in /proc).
public struct Command: Sendable, Equatable, CustomStringConvertible {
    public var executable: String
    public var arguments: [String]
    public var timeout: Duration
    public var stdin: String?
    /// A file of this machine fed as stdin instead (bytes of any size, never held in memory:
    /// `deploy` sends the binary this way).
    public var stdinFile: String?
    /// Extra environment entries on top of the inherited environment.
    public var environment: [String: String]
    /// Words shown as `********` in `description` (a secret the tool only takes in argv).
    public var redacted: Set<String> = []

    public init(_ executable: String, _ arguments: [String] = [], timeout: Duration = .seconds(60), stdin: String? = nil, environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
        self.stdin = stdin
        self.environment = environment
    }

    /// For logs and errors: arguments quoted when needed; stdin is never shown.
    public var description: String {
        ([executable] + arguments).map { word in
            if redacted.contains(word) { return "********" }
            return word.isEmpty || word.contains(where: { " \t\n'\"$`\\|&;<>()*?[]{}".contains($0) })
                ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
        }.joined(separator: " ")
    }
}

public struct CommandResult: Sendable, Equatable {
    public var command: Command
    /// Exit status, or nil when a signal ended the process.
    public var exitCode: Int32?
    public var signal: Int32?
    public var stdout: String
    public var stderr: String

    public init(command: Command, exitCode: Int32?, signal: Int32? = nil, stdout: String, stderr: String) {
        self.command = command
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { exitCode == 0 }
}

/// Every external command storagekit runs goes through one of these.
public protocol CommandRunner: Sendable {
    func run(_ command: Command) async throws(SystemError) -> CommandResult
    /// The command kept running to answer line by line (see `LineSession`), or nil.
    func startSession(_ command: Command) -> (any LineSession)?
}
