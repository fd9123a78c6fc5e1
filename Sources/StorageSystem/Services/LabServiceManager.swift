import Foundation
import StorageModel

#if canImport(Glibc)
import Glibc
#endif

/// Daemons of a lab host, started in the foreground inside its namespaces, detached from
/// storagekit, with a pid file per service under the lab's run directory and their pids
/// recorded in the lab state so `lab down` ends them.
public struct LabServiceManager: ServiceManager {
    let layout: LabLayout
    let host: LabLayout.LabHost

    public init(layout: LabLayout, host: String) throws(SystemError) {
        self.layout = layout
        self.host = try layout.host(host)
    }

    public func pidFile(_ service: ServiceDefinition) -> String { "\(layout.runDirectory)/services/\(host.name)/\(service.name).pid" }
    public func logFile(_ service: ServiceDefinition) -> String { "\(host.dataDirectory)/log/\(service.name).log" }

    public func pid(_ service: ServiceDefinition) -> Int32? {
        guard let text = try? LocalFileSystem().read(pidFile(service)), let pid = Int32(text.trimmingCharacters(in: " \n")) else { return nil }
        return DetachedProcess.isAlive(pid) ? pid : nil
    }

    public func isRunning(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        pid(service) != nil
    }

    public func start(_ service: ServiceDefinition) async throws(SystemError) {
        if pid(service) != nil { return }
        let files = LocalFileSystem()
        do {
            try FileManager.default.createDirectory(atPath: "\(host.dataDirectory)/log", withIntermediateDirectories: true)
            let pid = try DetachedProcess.spawn(layout.execArguments(host: host, service.foreground), log: logFile(service))
            try files.write(pidFile(service), contents: "\(pid)\n", mode: 0o644)
            try recordInLabState(pid)
            // A daemon that dies at once (bad config, port in use) must not look started: wait
            // until it listens (it has read its config and bound), or a moment for one that does not.
            try await Self.waitUntilStarted(pid, listens: service.listens)
            guard DetachedProcess.isAlive(pid) else {
                let log = (try? files.read(logFile(service))) ?? ""
                let tail = log.split(separator: "\n").suffix(3).joined(separator: " | ")
                throw SystemError.service(host: host.name, service: service.name, operation: "start", reason: "it exited at once; last lines of \(logFile(service)): \(tail)")
            }
        } catch let error as SystemError where error.code == .service {
            throw error
        } catch {
            throw SystemError.service(host: host.name, service: service.name, operation: "start", reason: "\(error)", cause: (error as? SystemError)?.code)
        }
    }

    /// Listening, dead, or 10 s passed (the setup's own verification then speaks); 300 ms for a
    /// daemon that never listens.
    static func waitUntilStarted(_ pid: Int32, listens: Bool) async throws {
        guard listens else { return try await Task.sleep(for: .milliseconds(300)) }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, DetachedProcess.isAlive(pid), !ListeningSockets.isListening(pid) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public func restart(_ service: ServiceDefinition) async throws(SystemError) {
        try await stop(service)
        try await start(service)
    }

    public func stop(_ service: ServiceDefinition) async throws(SystemError) {
        if let pid = pid(service) { await DetachedProcess.stop(pid) }
        try? FileManager.default.removeItem(atPath: pidFile(service))
    }

    /// A detached `sh` that sleeps, then execs the command: argv passed as positional
    /// parameters, nothing interpolated into the script.
    public func startTimer(_ service: ServiceDefinition, after delay: Duration) async throws(SystemError) {
        try await stop(service)
        var timer = service
        timer.foreground = ["sh", "-c", "sleep \"$0\" && exec \"$@\"", "\(delay.components.seconds)"] + service.foreground
        try await start(timer)
    }

    public func timerPending(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        pid(service) != nil
    }

    public func cancelTimer(_ service: ServiceDefinition) async throws(SystemError) -> Bool {
        let pending = pid(service) != nil
        try await stop(service)
        return pending
    }

    private func recordInLabState(_ pid: Int32) throws {
        var state = try LabState.load(layout.stateFile) ?? LabState(cluster: layout.cluster)
        state.pids.append(pid)
        try state.save(layout.stateFile)
    }
}
