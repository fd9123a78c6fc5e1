/// Daemons on a host where systemd is not PID 1 (a kernel-lab guest, a container): each runs
/// in the foreground in its own session (`setsid -f`), stdio on a log file, its pid in
/// /run/storagekit/services. The command's words are positional parameters of a fixed script,
/// never interpolated into it. A daemon started by someone else counts as running when a
/// process of its name exists.
struct DetachedServices: Sendable {
    static let script = #"echo $$ > "$1"; log=$2; shift 2; exec "$@" >>"$log" 2>&1 </dev/null"#
    let transport: any Transport

    func pidFile(_ service: ServiceDefinition) -> String { "/run/storagekit/services/\(service.name).pid" }
    func logFile(_ service: ServiceDefinition) -> String { "/run/storagekit/services/\(service.name).log" }

    func pids(_ service: ServiceDefinition) async throws(SystemError) -> [String] {
        var pids: [String] = []
        let read = try await run(["cat", pidFile(service)], service, "query", allowFailure: true)
        if read.succeeded, let pid = Int(read.stdout.trimmingCharacters(in: " \n")),
            try await run(["kill", "-0", String(pid)], service, "query", allowFailure: true).succeeded {
            pids.append(String(pid))
        }
        let named = try await run(["pgrep", "-x", service.processName], service, "query", allowFailure: true)
        pids += named.stdout.split(separator: "\n").map(String.init).filter { !pids.contains($0) }
        return pids
    }

    func isRunning(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        try await !pids(service).isEmpty
    }

    func start(_ service: ServiceDefinition) async throws(SystemError) {
        if try await isRunning(service) { return }
        try await run(["mkdir", "-p", "/run/storagekit/services"], service, "start")
        try await run(["setsid", "-f", "sh", "-c", Self.script, "storagekit-service", pidFile(service), logFile(service)] + service.foreground, service, "start")
        // A daemon that dies at once (bad config, port in use) must not look started.
        try? await Task.sleep(for: .seconds(1))
        guard try await isRunning(service) else {
            let log = try await run(["tail", "-n", "3", logFile(service)], service, "start", allowFailure: true).stdout
            throw SystemError.service(host: transport.host, service: service.name, operation: "start",
                reason: "it exited at once; last lines of \(logFile(service)) on \(transport.host): \(log.split(separator: "\n").joined(separator: " | "))")
        }
    }

    func stop(_ service: ServiceDefinition) async throws(SystemError) {
        let running = try await pids(service)
        guard !running.isEmpty else { return }
        try await run(["kill"] + running, service, "stop", allowFailure: true)
        for _ in 0..<50 {
            if try await !isRunning(service) { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        try await run(["rm", "-f", pidFile(service)], service, "stop")
        if try await isRunning(service) {
            throw SystemError.service(host: transport.host, service: service.name, operation: "stop", reason: "still running 5 s after SIGTERM (pids \(running.joined(separator: " ")))")
        }
    }

    @discardableResult
    private func run(_ argv: [String], _ service: ServiceDefinition, _ operation: String, allowFailure: Bool = false) async throws(SystemError) -> CommandResult {
        try await transport.runForService(argv, service: service.name, operation, allowFailure: allowFailure)
    }
}
