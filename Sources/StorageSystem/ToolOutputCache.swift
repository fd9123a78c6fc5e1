import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The output of commands that depend only on their program's file (`qemu-system-x86_64
/// --version`, `-machine help`, `libvirtd --version`), kept per boot in /run and reused while
/// that file is the same one (path, inode, size and modification time): an upgrade replaces it
/// and the next run asks the program again. Each such command costs 15-25 ms of a host's CPU;
/// a check of 200 hypervisors ran 600 of them.
public struct ToolOutputCache: Sendable {
    public static let defaultDirectory = "/run/storagekit/tool-output"
    public let directory: String

    public init(directory: String = ToolOutputCache.defaultDirectory) {
        self.directory = directory
    }

    struct Entry: Codable {
        var key: String
        var stdout: String
    }

    /// `command`'s result: the kept output when its program is unchanged, else a run through
    /// `runner` (kept when it succeeds). A cache that cannot be read or written only costs a run.
    public func run(_ command: Command, _ runner: any CommandRunner) async throws(SystemError) -> CommandResult {
        guard let key = key(command) else { return try await runner.run(command) }
        let file = "\(directory)/\(Self.fileName(key))"
        if let data = FileManager.default.contents(atPath: file), let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key {
            return CommandResult(command: command, exitCode: 0, signal: nil, stdout: entry.stdout, stderr: "")
        }
        let result = try await runner.run(command)
        if result.succeeded, let data = try? JSONEncoder().encode(Entry(key: key, stdout: result.stdout)) {
            store(data, at: file)
        }
        return result
    }

    /// The program's identity and the arguments; nil when the program cannot be found or read
    /// (the run then says why).
    func key(_ command: Command) -> String? {
        let path = command.executable.contains("/") ? command.executable : ExecutableLookup.find(command.executable, path: ExecutableLookup.searchPath(command))
        guard let path else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return ([path, "\(info.st_dev):\(info.st_ino)", "\(info.st_size)", "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"] + command.arguments).joined(separator: "\u{1F}")
    }

    /// A file name for `key`: FNV-1a, 64 bits, in hex (the key itself is inside the file).
    static func fileName(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16) + ".json"
    }

    /// Written beside it and renamed over it: a reader sees the old entry or the new one.
    func store(_ data: Data, at file: String) {
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil else { return }
        let temporary = "\(file).\(getpid()).\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary, file) != 0 { unlink(temporary) }
    }
}
