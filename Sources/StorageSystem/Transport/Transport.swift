import class Foundation.ProcessInfo
import StorageModel

/// Runs a command "on" a host: here, over OpenSSH, or inside a lab host's namespaces. Everything
/// that acts on another host goes through one of these, so the same code drives real clusters
/// and the lab.
public protocol Transport: Sendable {
    var host: String { get }
    /// A network namespace of the lab: this machine's kernel, which has no iSCSI initiator,
    /// device-mapper or NFS client, so kernel facts there are unknown, not failures.
    var isNamespaceLab: Bool { get }
    func run(_ command: Command) async throws(SystemError) -> CommandResult
    /// The command kept running on the host to answer line by line (see `LineSession`), or nil
    /// where the transport cannot (callers then run one command per request).
    func startSession(_ command: Command) -> (any LineSession)?
}

extension Transport {
    public var isNamespaceLab: Bool { false }
}

/// This machine.
public struct LocalTransport: Transport {
    public let host: String
    let runner: any CommandRunner

    public init(host: String, runner: any CommandRunner = SubprocessRunner()) {
        self.host = host
        self.runner = runner
    }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        try await runner.run(command)
    }

    public func startSession(_ command: Command) -> (any LineSession)? {
        runner.startSession(command)
    }
}

/// A lab host: the command runs under `nsenter` in the host's network and mount namespaces, or,
/// for a kernel-lab guest, over ssh from the lab's control namespace.
public struct LabTransport: Transport {
    public let host: String
    let layout: LabLayout
    let runner: any CommandRunner

    public init(host: String, layout: LabLayout, runner: any CommandRunner = SubprocessRunner()) {
        self.host = host
        self.layout = layout
        self.runner = runner
    }

    public var isNamespaceLab: Bool { (try? layout.host(host))?.isGuest != true }

    /// `command` as this machine runs it: entering the host's namespaces, or ssh to a guest.
    func wrapped(_ command: Command) throws(SystemError) -> (Command, isGuest: Bool) {
        guard let labHost = try? layout.host(host) else { throw .launchFailed(command.description, reason: "\(host) is not a lab host") }
        let argv = layout.execArguments(host: labHost, [command.executable] + command.arguments, timeout: command.timeout)
        var wrapped = command
        wrapped.executable = argv[0]
        wrapped.arguments = Array(argv.dropFirst())
        return (wrapped, labHost.isGuest)
    }

    public func startSession(_ command: Command) -> (any LineSession)? {
        guard let (wrapped, _) = try? wrapped(command) else { return nil }
        return runner.startSession(wrapped)
    }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        let (wrapped, isGuest) = try wrapped(command)
        let result = try await runner.run(wrapped)
        if isGuest && result.exitCode == 255 {
            throw .launchFailed(command.description, reason: "ssh to guest \(host) failed: \(result.stderr.split(separator: "\n").last ?? "") (storagekit lab status --spec …)")
        }
        return CommandResult(command: command, exitCode: result.exitCode, signal: result.signal, stdout: result.stdout, stderr: result.stderr)
    }
}

/// OpenSSH as admins run it: key authentication only (`BatchMode=yes`, never a password
/// prompt), one master connection reused by every command (`ControlMaster`), a connect timeout.
public struct SSHTransport: Transport {
    public let host: String
    public let destination: String
    let controlDirectory: String
    /// Extra ssh options before the defaults (identity, known hosts, …).
    let options: [String]
    let runner: any CommandRunner
    /// A lab namespace host reached over its own sshd (bench/readiness): kernel facts there are
    /// unknown, as through the lab transport.
    public let isNamespaceLab: Bool

    public init(host: String, destination: String, controlDirectory: String = "/tmp", options: [String] = [], namespaceLab: Bool = false, runner: any CommandRunner = SubprocessRunner()) {
        self.host = host
        self.destination = destination
        self.controlDirectory = controlDirectory
        self.options = options
        self.isNamespaceLab = namespaceLab
        self.runner = runner
    }

    /// The ssh argv for `command`. ssh hands the remote side one string for its shell, so each
    /// argument is single-quoted there: no word of the command is ever interpreted.
    public func sshArguments(for command: Command) -> [String] {
        options + [
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(max(1, Int(command.timeout.components.seconds)))",
            "-o", "ControlMaster=auto", "-o", "ControlPath=\(controlDirectory)/storagekit-ssh-%C", "-o", "ControlPersist=60",
            "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=2",
            "--", destination, ([command.executable] + command.arguments).map(Self.shellQuoted).joined(separator: " "),
        ]
    }

    public func startSession(_ command: Command) -> (any LineSession)? {
        runner.startSession(Command("ssh", sshArguments(for: command), timeout: command.timeout))
    }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        var ssh = Command("ssh", sshArguments(for: command), timeout: command.timeout, stdin: command.stdin)
        ssh.stdinFile = command.stdinFile
        let result = try await runner.run(ssh)
        // 255 is ssh's own failure (unreachable, refused key): say so rather than blame the command.
        if result.exitCode == 255 {
            throw .launchFailed(command.description, reason: "ssh to \(destination) failed: \(result.stderr.split(separator: "\n").last ?? "")")
        }
        return CommandResult(command: command, exitCode: result.exitCode, signal: result.signal, stdout: result.stdout, stderr: result.stderr)
    }

    static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// The transport of each spec host, by its `transport:` key.
public enum Transports {
    /// `STORAGEKIT_SSH_CONFIG=FILE` makes every ssh call read FILE instead of ~/.ssh/config
    /// (`ssh -F`): identity, known hosts and jump hosts for storagekit alone.
    public static func sshConfigOptions(_ environment: [String: String] = Foundation.ProcessInfo.processInfo.environment) -> [String] {
        guard let file = environment["STORAGEKIT_SSH_CONFIG"], !file.isEmpty else { return [] }
        return ["-F", file]
    }

    /// - Parameter labs: labs whose addresses must not be reached from here; by default those up
    ///   on this machine when this process started, if it is outside every lab namespace
    ///   (`LabLeakGuard`).
    public static func make(
        for host: Host, layout: LabLayout? = nil, namespaceLab: Bool = false, labs: [LabLeakGuard.UpLab]? = nil, runner: any CommandRunner = SubprocessRunner()
    ) throws(SystemError) -> any Transport {
        if host.transport != .lab, let refusal = LabLeakGuard.refusal(host: host, labs: labs ?? LabLeakGuard.labsAtRisk) {
            throw .wouldLeaveTheMachine(refusal)
        }
        switch host.transport {
        case .local:
            return LocalTransport(host: host.name, runner: runner)
        case .ssh:
            return SSHTransport(
                host: host.name, destination: "root@\(host.addresses.first ?? host.name)", options: sshConfigOptions(),
                namespaceLab: namespaceLab, runner: runner)
        case .lab:
            guard let layout else { throw .notUp(cluster: "") }
            return LabTransport(host: host.name, layout: layout, runner: runner)
        }
    }
}
