/// A one-shot timer on a host without systemd: a detached `sh` (its own session via
/// `setsid -f`, stdio on /dev/null so the connection that started it can close) that records its
/// pid, sleeps, then execs the command. The command's words are positional parameters of a
/// fixed script, never interpolated into it.
struct ShellTimer: Sendable {
    static let script = #"exec >/dev/null 2>&1 </dev/null; echo $$ > "$1"; sleep "$2"; rm -f "$1"; shift 2; exec "$@""#
    let transport: any Transport

    func pidFile(_ service: ServiceDefinition) -> String { "/run/storagekit/\(service.systemdUnit).timer.pid" }

    func start(_ service: ServiceDefinition, after delay: Duration) async throws(SystemError) {
        _ = try await cancel(service)
        try await run(["mkdir", "-p", "/run/storagekit"], service, "set the timer")
        try await run(
            ["setsid", "-f", "sh", "-c", Self.script, "storagekit-timer", pidFile(service), "\(delay.components.seconds)"] + service.foreground,
            service, "set the timer")
        // The pid file tells `cancel` whom to stop; wait until the timer wrote it.
        for _ in 0..<50 {
            if try await run(["test", "-s", pidFile(service)], service, "set the timer", allowFailure: true).succeeded { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw SystemError.service(host: transport.host, service: service.systemdUnit, operation: "set the timer", reason: "the detached timer did not start")
    }

    /// True when the timer was still waiting.
    func cancel(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        let read = try await run(["cat", pidFile(service)], service, "cancel the timer", allowFailure: true)
        guard read.succeeded, let pid = Int(read.stdout.trimmingCharacters(in: " \n")) else { return false }
        let killed = try await run(["kill", String(pid)], service, "cancel the timer", allowFailure: true).succeeded
        try await run(["rm", "-f", pidFile(service)], service, "cancel the timer")
        return killed
    }

    func isPending(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        let read = try await run(["cat", pidFile(service)], service, "query the timer", allowFailure: true)
        guard read.succeeded, let pid = Int(read.stdout.trimmingCharacters(in: " \n")) else { return false }
        return try await run(["kill", "-0", String(pid)], service, "query the timer", allowFailure: true).succeeded
    }

    @discardableResult
    private func run(_ argv: [String], _ service: ServiceDefinition, _ operation: String, allowFailure: Bool = false) async throws(SystemError) -> CommandResult {
        try await transport.runForService(argv, service: service.systemdUnit, operation, allowFailure: allowFailure)
    }
}
