import StorageModel

/// A daemon storagekit starts or restarts: its systemd unit on real hosts, and the foreground
/// command the lab runs directly inside the host's namespaces (there is no systemd there).
public struct ServiceDefinition: Sendable, Equatable {
    /// Short name for plans and pid files (`rpcbind`, `ganesha`, `tgtd`).
    public var name: String
    public var systemdUnit: String
    /// argv that keeps the daemon in the foreground, for hosts without systemd.
    public var foreground: [String]
    /// The process that is the running daemon (`pgrep -x`), when not the first word of `foreground`.
    public var processName: String
    /// The daemon listens on TCP once it has read its configuration: a foreground start is
    /// ready then, rather than after a fixed wait.
    public var listens: Bool

    public init(name: String, systemdUnit: String, foreground: [String], processName: String? = nil, listens: Bool = false) {
        self.name = name
        self.systemdUnit = systemdUnit
        self.foreground = foreground
        self.processName = processName ?? String((foreground.first ?? name).split(separator: "/").last ?? "")
        self.listens = listens
    }
}

/// Starting, restarting and asking after daemons on one host.
public protocol ServiceManager: Sendable {
    func isRunning(_ service: ServiceDefinition) async throws(SystemError) -> Bool
    /// Starts the service unless it runs.
    func start(_ service: ServiceDefinition) async throws(SystemError)
    func restart(_ service: ServiceDefinition) async throws(SystemError)
    func stop(_ service: ServiceDefinition) async throws(SystemError)
    /// Runs `service.foreground` once after `delay`, detached from storagekit (it fires even
    /// if the connection that set it dies).
    func startTimer(_ service: ServiceDefinition, after delay: Duration) async throws(SystemError)
    /// Cancels a pending timer; true when one was pending.
    func cancelTimer(_ service: ServiceDefinition) async throws(SystemError) -> Bool
    func timerPending(_ service: ServiceDefinition) async throws(SystemError) -> Bool
}

/// systemd, through the host's transport; detached daemons where systemd is not PID 1.
public struct SystemdServiceManager: ServiceManager {
    let transport: any Transport

    public init(transport: any Transport) {
        self.transport = transport
    }

    public func isRunning(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        guard await systemdRuns() else { return try await DetachedServices(transport: transport).isRunning(service) }
        return try await systemctl(["is-active", "--quiet", service.systemdUnit], service, "query", allowFailure: true).succeeded
    }

    public func start(_ service: ServiceDefinition) async throws(SystemError) {
        guard await systemdRuns() else { return try await DetachedServices(transport: transport).start(service) }
        _ = try await systemctl(["start", service.systemdUnit], service, "start")
    }

    public func restart(_ service: ServiceDefinition) async throws(SystemError) {
        guard await systemdRuns() else {
            let detached = DetachedServices(transport: transport)
            try await detached.stop(service)
            return try await detached.start(service)
        }
        _ = try await systemctl(["restart", service.systemdUnit], service, "restart")
    }

    public func stop(_ service: ServiceDefinition) async throws(SystemError) {
        guard await systemdRuns() else { return try await DetachedServices(transport: transport).stop(service) }
        _ = try await systemctl(["stop", service.systemdUnit], service, "stop")
    }

    /// systemd is PID 1 (sd_booted's test); otherwise timers are detached shells.
    private func systemdRuns() async -> Bool {
        (try? await transport.run(Command("test", ["-d", "/run/systemd/system"])))?.succeeded == true
    }

    public func startTimer(_ service: ServiceDefinition, after delay: Duration) async throws(SystemError) {
        guard await systemdRuns() else { return try await ShellTimer(transport: transport).start(service, after: delay) }
        _ = try? await systemctl(["stop", "\(service.systemdUnit).timer"], service, "clear", allowFailure: true)
        let result: CommandResult
        do {
            result = try await transport.run(Command("systemd-run", [
                "--unit=\(service.systemdUnit)", "--on-active=\(delay.components.seconds)s", "--timer-property=AccuracySec=1s", "--",
            ] + service.foreground, timeout: .seconds(30)))
        } catch {
            throw SystemError.service(host: transport.host, service: service.systemdUnit, operation: "set the timer", reason: error.description, cause: error.code)
        }
        guard result.succeeded else {
            throw SystemError.service(host: transport.host, service: service.systemdUnit, operation: "set the timer", reason: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    public func timerPending(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        guard await systemdRuns() else { return try await ShellTimer(transport: transport).isPending(service) }
        return try await systemctl(["is-active", "--quiet", "\(service.systemdUnit).timer"], service, "query", allowFailure: true).succeeded
    }

    public func cancelTimer(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        guard await systemdRuns() else { return try await ShellTimer(transport: transport).cancel(service) }
        let pending = try await systemctl(["is-active", "--quiet", "\(service.systemdUnit).timer"], service, "query", allowFailure: true).succeeded
        if pending { _ = try await systemctl(["stop", "\(service.systemdUnit).timer"], service, "cancel") }
        return pending
    }

    private func systemctl(_ arguments: [String], _ service: ServiceDefinition, _ operation: String, allowFailure: Bool = false) async throws(SystemError) -> CommandResult {
        let result: CommandResult
        do {
            result = try await transport.run(Command("systemctl", arguments, timeout: .seconds(120)))
        } catch {
            throw SystemError.service(host: transport.host, service: service.systemdUnit, operation: operation, reason: error.description, cause: error.code)
        }
        if !allowFailure && !result.succeeded {
            throw SystemError.service(
                host: transport.host, service: service.systemdUnit, operation: operation,
                reason: "\(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) (see `journalctl -u \(service.systemdUnit)` on \(transport.host))")
        }
        return result
    }
}
