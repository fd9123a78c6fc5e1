/// The one error of the side-effect layer (StorageSystem), modelled on apple/containerization's
/// `ContainerizationError`: a `code` that says what kind of thing went wrong (what callers tell
/// apart), a `message` for the admin (what is printed), the `host` when there is one, and what
/// the failure underneath it was.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, one case per kind callers tell apart.
    public enum Code: String, Sendable, Codable, CaseIterable {
        // Running a command (here or on a host).
        /// Its program is not on that machine.
        case notInstalled
        /// It (or qemu, or a DRBD resource it waits for) did not finish or answer in time.
        case timedOut
        /// It printed more than storagekit reads.
        case outputTooLarge
        /// It could not be started (or the host could not be reached to start it).
        case launchFailed
        /// It ran and failed, or what it said cannot be used.
        case commandFailed

        // This machine.
        /// A file or directory of this machine cannot be read or written.
        case fileSystem
        /// A binary `deploy` would send cannot be read or would not run on the hosts.
        case binary

        // Hosts.
        /// A service (systemd unit or detached daemon) cannot be started, stopped or queried.
        case service
        /// A host's changes cannot be planned.
        case plan
        /// storagekit refuses to go on: it would change something in use or destroy data
        /// (nothing was changed).
        case refused
        /// A step of a change failed part way (what was done before it is told).
        case stepFailed
        /// A backup's MANIFEST has a line storagekit cannot read.
        case backupManifest
        /// The drbd kernel module is not available.
        case noModule
        /// qemu's QMP socket cannot be reached or answered what cannot be read or refused.
        case qmp

        // What was asked.
        /// What was asked does not fit the spec (an unknown host, a host that does not do this,
        /// a path the lab cannot give): exit 2.
        case invalidRequest

        // The lab.
        /// The lab needs root.
        case notRoot
        /// No lab is up for the cluster.
        case notUp
        /// Something is in the way that the lab did not create.
        case notOurs
        /// The lab cannot be built or started (a step, a guest, the kernel).
        case lab
    }

    public var code: Code
    /// What happened, in words an admin reads at 3 a.m.; `description` is this.
    public var message: String
    /// The host it happened on, when there is one.
    public var host: String?
    /// The command or program concerned (the program not installed, the command that timed out).
    public var command: String?
    /// Why, without the context `message` adds (the system's own words, a command's stderr):
    /// for callers that put it in their own sentence.
    public var reason: String?
    /// The code of the failure underneath (e.g. `.notInstalled` when a host's command failed
    /// because its program is missing).
    public var cause: Code?
    /// What a host-side command (`iscsi login`, `mount`) had done before it stopped.
    public var steps: [HostStep]?

    public init(_ code: Code, _ message: String, host: String? = nil, command: String? = nil, reason: String? = nil, cause: Code? = nil, steps: [HostStep]? = nil) {
        self.code = code
        self.message = message
        self.host = host
        self.command = command
        self.reason = reason
        self.cause = cause
        self.steps = steps
    }

    public var description: String { message }

    public func isCode(_ code: Code) -> Bool { self.code == code }

    /// The program is not installed, this error's own code or the one underneath.
    public var isNotInstalled: Bool { code == .notInstalled || cause == .notInstalled }

    /// A problem with what was asked (exit 2), not a failure on the way.
    public var isUsage: Bool { code == .invalidRequest }
}

// MARK: - Running a command

extension SystemError {
    public static func notInstalled(_ executable: String) -> SystemError {
        SystemError(.notInstalled, "\(executable) is not installed (or not in PATH): install the package that provides it", command: executable)
    }

    public static func timedOut(_ command: String, after: Duration) -> SystemError {
        SystemError(.timedOut, "`\(command)` did not finish within \(after) and was stopped", command: command)
    }

    public static func outputTooLarge(_ command: String, limit: Int) -> SystemError {
        SystemError(.outputTooLarge, "`\(command)` printed more than \(limit) bytes; stopped reading", command: command)
    }

    public static func launchFailed(_ command: String, reason: String) -> SystemError {
        SystemError(.launchFailed, "could not start `\(command)`: \(reason)", command: command)
    }

    /// `what` failed on `host`: the command ran and failed, or (with `cause`, whose code it takes)
    /// could not run.
    public static func hostCommand(host: String, what: String, reason: String, cause: SystemError? = nil) -> SystemError {
        SystemError(cause?.code ?? .commandFailed, "\(host): \(what) failed: \(reason)", host: host, command: cause?.command, reason: reason)
    }
}

// MARK: - This machine and services

extension SystemError {
    /// A file or directory of this machine: `operation` (read, write, …) on `path` failed.
    public static func fileSystem(_ path: String, operation: String, reason: String) -> SystemError {
        SystemError(.fileSystem, "cannot \(operation) \(path): \(reason)", reason: reason)
    }

    /// `operation` (start, stop, …) of `service` on `host` failed; `cause`: the code underneath.
    public static func service(host: String, service: String, operation: String, reason: String, cause: Code? = nil) -> SystemError {
        SystemError(.service, "could not \(operation) \(service) on \(host): \(reason)", host: host, reason: reason, cause: cause)
    }
}
