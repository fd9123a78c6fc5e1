#if canImport(Glibc)
import Glibc
#endif

/// Replaces this process with `argv` (like `docker exec`): the command gets the terminal, its
/// output and its exit status directly. The one place a command bypasses the runner, because
/// nothing runs after it. Returns only on failure, with the reason.
public enum ProcessReplacement {
    public static func exec(_ argv: [String]) -> String {
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        execvp(argv[0], &cArguments)
        return "\(argv[0]): \(String(cString: strerror(errno)))"
    }
}
