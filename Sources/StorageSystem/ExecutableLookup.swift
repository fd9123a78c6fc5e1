import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds a command's executable in PATH here, in this process, as a shell would. Left to
/// swift-subprocess, a name is tried by starting a process in each PATH directory in turn: a
/// facts gathering that runs a dozen tools on a host with a long PATH forked 54 times for
/// nothing, and the forks were most of its CPU.
enum ExecutableLookup {
    /// The first executable regular file named `name` in `path` (PATH's syntax; an empty entry
    /// is the current directory), or nil.
    static func find(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 else { continue }
            return candidate
        }
        return nil
    }

    /// PATH as the command will see it: its own environment's, else this process's.
    static func searchPath(_ command: Command) -> String {
        command.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    }
}
