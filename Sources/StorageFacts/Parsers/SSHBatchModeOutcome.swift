import Foundation

/// What `ssh -o BatchMode=yes root@PEER true` told: its exit status and what it printed on
/// stderr, in OpenSSH's own words. ssh exits 255 for its own errors and with the remote
/// command's status otherwise.
public enum SSHBatchModeOutcome {
    public static func classify(exitCode: Int32?, stderr: String) -> SSHOutcome {
        if exitCode == 0 { return .trusted }
        let text = stderr.lowercased()
        // Checked in this order: a changed key also ends in "host key verification failed".
        if text.contains("remote host identification has changed") { return .hostKeyChanged }
        if text.contains("host key verification failed") { return .hostKeyUnknown }
        if text.contains("could not resolve hostname") { return .unresolved }
        if text.contains("permission denied") || text.contains("too many authentication failures") { return .keyRefused }
        if text.contains("connection refused") { return .noSSHD }
        if text.contains("connection timed out") || text.contains("no route to host") || text.contains("network is unreachable") { return .unreachable }
        return .failed
    }

    /// ssh's last non-empty stderr line: the one that says what went wrong.
    public static func lastLine(_ stderr: String) -> String {
        stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.last { !$0.isEmpty } ?? ""
    }
}
