import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One storagekit change at a time per host: a lock directory on the host (`mkdir` is atomic
/// everywhere), holding who took it. A lock left by a storagekit that died on this machine
/// (same boot, pid gone) is taken over; any other waits, then fails saying who holds it.
public struct HostLock: Sendable {
    public static let path = "/run/storagekit/apply.lock"
    let files: HostFiles
    let wait: Duration

    /// How long to wait for another run: STORAGEKIT_LOCK_WAIT_SECONDS, else 30 s.
    public static var defaultWait: Duration {
        .seconds(ProcessInfo.processInfo.environment["STORAGEKIT_LOCK_WAIT_SECONDS"].flatMap(Int.init).map { max($0, 0) } ?? 30)
    }

    public init(files: HostFiles, wait: Duration = HostLock.defaultWait) {
        self.files = files
        self.wait = wait
    }

    public struct Holder: Sendable, Equatable {
        public var pid: Int32
        public var bootID: String
        public var machine: String
        public var since: String

        var text: String { "pid=\(pid)\nboot=\(bootID)\nmachine=\(machine)\nsince=\(since)\n" }

        init(pid: Int32, bootID: String, machine: String, since: String) {
            self.pid = pid
            self.bootID = bootID
            self.machine = machine
            self.since = since
        }

        init?(_ text: String) {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            guard let pid = fields["pid"].flatMap(Int32.init), let boot = fields["boot"] else { return nil }
            self.init(pid: pid, bootID: boot, machine: fields["machine"] ?? "?", since: fields["since"] ?? "?")
        }

        static var current: Holder {
            let boot = ((try? LocalFileSystem().read("/proc/sys/kernel/random/boot_id")) ?? nil)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
            return Holder(pid: getpid(), bootID: boot, machine: ProcessInfo.processInfo.hostName, since: ISO8601DateFormatter().string(from: Date()))
        }

        /// A storagekit of this machine that is gone.
        var isStale: Bool {
            bootID == Holder.current.bootID && !DetachedProcess.isAlive(pid)
        }
    }

    public func acquire() async throws(SystemError) {
        let deadline = ContinuousClock.now + wait
        try await files.run(["mkdir", "-p", "--", HostFiles.directory(of: Self.path)], "creating \(HostFiles.directory(of: Self.path))")
        while true {
            if try await files.run(["mkdir", "--", Self.path], "taking the lock \(Self.path)", allowFailure: true).succeeded {
                let staged = try await files.stage("\(Self.path)/owner", content: Holder.current.text, mode: 0o644)
                try await files.commit(staged, to: "\(Self.path)/owner")
                return
            }
            // The holder may release (or not yet have written its owner file) between our
            // mkdir and this read: a missing file means "look again", not an error.
            let holder = (try? await files.read("\(Self.path)/owner"))?.flatMap { Holder($0.content) }
            if let holder, holder.isStale {
                try await release()
                continue
            }
            if ContinuousClock.now >= deadline {
                let who = holder.map { "storagekit pid \($0.pid) on \($0.machine) since \($0.since)" } ?? "another storagekit"
                throw SystemError.hostCommand(
                    host: files.host, what: "locking \(files.host) for changes",
                    reason: "\(who) is changing this host (waited \(wait.components.seconds) s). Wait for it to finish; if it died, remove \(Self.path) on \(files.host) and run again")
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    public func release() async throws(SystemError) {
        try await files.run(["rm", "-rf", "--", Self.path], "releasing the lock \(Self.path)")
    }
}
