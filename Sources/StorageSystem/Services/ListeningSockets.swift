import Foundation

/// Whether a process listens on a TCP socket of its own: a daemon that does has read its
/// configuration and bound its ports. Read from /proc (the socket table of the process's own
/// network namespace, and the sockets among its file descriptors), so it works for a lab
/// daemon inside its namespace without entering it.
public enum ListeningSockets {
    /// Inodes of the LISTEN rows (state 0A) of a /proc/net/tcp or tcp6 table.
    public static func listeningInodes(procNetTCP text: String) -> Set<String> {
        var inodes: Set<String> = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A" else { continue }
            inodes.insert(String(fields[9]))
        }
        return inodes
    }

    /// The socket inode a /proc/PID/fd link names (`socket:[1448]`), or nil.
    public static func socketInode(fdLink: String) -> String? {
        guard fdLink.hasPrefix("socket:["), fdLink.hasSuffix("]") else { return nil }
        return String(fdLink.dropFirst("socket:[".count).dropLast())
    }

    public static func isListening(_ pid: Int32) -> Bool {
        let tables = ["tcp", "tcp6"].compactMap { try? String(contentsOfFile: "/proc/\(pid)/net/\($0)", encoding: .utf8) }
        let listening = tables.reduce(into: Set<String>()) { $0.formUnion(listeningInodes(procNetTCP: $1)) }
        guard !listening.isEmpty, let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return false }
        return fds.contains { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")).flatMap(socketInode).map(listening.contains) ?? false
        }
    }
}
