import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts a long-running process that outlives storagekit: its own session, stdin from
/// /dev/null, stdout and stderr appended to a log file. Only the lab uses it (real hosts have
/// systemd); the argv is passed as is, never through a shell.
public enum DetachedProcess {
    public static func spawn(_ argv: [String], log: String) throws(SystemError) -> Int32 {
        guard let executable = argv.first else { throw .launchFailed("", reason: "empty command") }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // POSIX_SPAWN_SETSID (glibc ≥ 2.26); the header only declares it under _GNU_SOURCE.
        posix_spawnattr_setflags(&attributes, 0x80)

        var pid: pid_t = 0
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        let status = posix_spawnp(&pid, executable, &actions, &attributes, &cArguments, environ)
        guard status == 0 else {
            throw status == ENOENT ? .notInstalled(executable) : .launchFailed(argv.joined(separator: " "), reason: String(cString: strerror(status)))
        }
        return pid
    }

    /// Alive and not a zombie (a process nobody reaped still answers kill(pid, 0)).
    public static func isAlive(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? LocalFileSystem().read("/proc/\(pid)/stat"),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: " ").first
        return state != "Z" && state != "X"
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace`.
    public static func stop(_ pid: Int32, grace: Duration = .seconds(3)) async {
        guard isAlive(pid) else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if !isAlive(pid) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        for _ in 0..<40 where isAlive(pid) { try? await Task.sleep(for: .milliseconds(50)) }
        // A killed leader is a zombie while its other threads still exit, holding the files
        // (tgtd's lock): a new tgtd started then exits at once ("another tgtd is using …").
        for _ in 0..<40 where threadsLeft(pid) > 1 { try? await Task.sleep(for: .milliseconds(50)) }
    }

    static func threadsLeft(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"))?.count ?? 0
    }
}
