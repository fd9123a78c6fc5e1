import StorageFacts

/// A file as it is on a host.
public struct HostFileState: Sendable, Equatable {
    public var content: String
    public var mode: UInt16
}

/// Files on a host, through its transport, with the standard tools every Linux has (`stat`,
/// `cat`, `install`, `dd`, `mv`): the same code reaches a lab host, this machine or an ssh host.
/// Contents travel on stdin, never in argv.
public struct HostFiles: Sendable {
    public let transport: any Transport

    public init(transport: any Transport) {
        self.transport = transport
    }

    public var host: String { transport.host }

    public func read(_ path: String) async throws(SystemError) -> HostFileState? {
        let stat = try await run(["stat", "-c", "%a", "--", path], "reading the mode of \(path)", allowFailure: true)
        if !stat.succeeded {
            if stat.stderr.contains("No such file") || stat.stderr.contains("Not a directory") { return nil }
            throw failure("reading the mode of \(path)", stat)
        }
        let mode = UInt16(stat.stdout.trimmingCharacters(in: " \n"), radix: 8) ?? 0o644
        let cat = try await run(["cat", "--", path], "reading \(path)")
        return HostFileState(content: cat.stdout, mode: mode)
    }

    public func exists(_ path: String) async throws(SystemError) -> Bool {
        try await run(["test", "-e", path], "looking for \(path)", allowFailure: true).succeeded
    }

    /// Size in bytes, or nil when absent.
    public func size(_ path: String) async throws(SystemError) -> UInt64? {
        let result = try await run(["stat", "-c", "%s", "--", path], "sizing \(path)", allowFailure: true)
        return result.succeeded ? UInt64(result.stdout.trimmingCharacters(in: " \n")) : nil
    }

    /// Writes `content` to a new temporary file beside `path` (same file system, so the final
    /// rename is atomic), created with `mode` before any byte is written and synced to disk;
    /// returns its path. The owner of an existing file is kept.
    public func stage(_ path: String, content: String, mode: UInt16) async throws(SystemError) -> String {
        let directory = Self.directory(of: path)
        let temporary = "\(directory)/.\(Self.baseName(of: path)).storagekit-new"
        let octal = String(mode, radix: 8)
        _ = try await run(["mkdir", "-p", "--", directory], "creating \(directory)")
        _ = try await run(["install", "-m", octal, "/dev/null", temporary], "creating \(temporary)")
        var write = Command("dd", ["of=\(temporary)", "conv=fsync", "status=none"], stdin: content)
        write.timeout = .seconds(60)
        do {
            _ = try await run(write, "writing \(temporary) (the new \(path))")
        } catch {
            // A full disk or a dead transport mid-write: no half-written copy stays behind.
            _ = try? await run(["rm", "-f", "--", temporary], "removing \(temporary)", allowFailure: true)
            throw error
        }
        if try await exists(path) {
            _ = try await run(["chown", "--reference=\(path)", "--", temporary], "keeping the owner of \(path)", allowFailure: true)
        }
        return temporary
    }

    /// Renames a staged file over its target.
    public func commit(_ temporary: String, to path: String) async throws(SystemError) {
        _ = try await run(["mv", "-f", "--", temporary, path], "replacing \(path)")
    }

    /// `path` replaced whole, atomically: staged beside it, then renamed over it.
    public func replace(_ path: String, with content: String, mode: UInt16) async throws(SystemError) {
        let staged = try await stage(path, content: content, mode: mode)
        try await commit(staged, to: path)
    }

    public func remove(_ path: String) async throws(SystemError) {
        _ = try await run(["rm", "-f", "--", path], "removing \(path)")
    }

    /// Copies `path` (mode, owner, times kept) to `destination`, creating its directory.
    public func copy(_ path: String, to destination: String) async throws(SystemError) {
        _ = try await run(["mkdir", "-p", "--", Self.directory(of: destination)], "creating \(Self.directory(of: destination))")
        _ = try await run(["cp", "-a", "--", path, destination], "copying \(path) to \(destination)")
    }

    public func makeDirectory(_ path: String, mode: UInt16) async throws(SystemError) {
        _ = try await run(["install", "-d", "-m", String(mode, radix: 8), path], "creating directory \(path)")
    }

    /// A sparse file of `size` bytes; refuses to touch an existing file.
    public func createSparseFile(_ path: String, size: UInt64) async throws(SystemError) {
        if try await exists(path) { throw SystemError.hostCommand(host: host, what: "creating \(path)", reason: "it already exists; storagekit never truncates or overwrites a backing file") }
        _ = try await run(["mkdir", "-p", "--", Self.directory(of: path)], "creating \(Self.directory(of: path))")
        // Created exclusively (noclobber): a file that appeared since the check is never touched.
        _ = try await run(["sh", "-c", "set -C && : > \"$1\" && exec truncate -s \"$2\" -- \"$1\"", "sh", path, String(size)], "creating sparse file \(path)")
    }

    @discardableResult
    public func run(_ argv: [String], _ what: String, allowFailure: Bool = false) async throws(SystemError) -> CommandResult {
        try await run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30)), what, allowFailure: allowFailure)
    }

    @discardableResult
    public func run(_ command: Command, _ what: String, allowFailure: Bool = false) async throws(SystemError) -> CommandResult {
        let result: CommandResult
        do {
            result = try await transport.run(command)
        } catch {
            throw SystemError.hostCommand(host: host, what: what, reason: error.description, cause: error)
        }
        if !allowFailure && !result.succeeded { throw failure(what, result) }
        return result
    }

    func failure(_ what: String, _ result: CommandResult) -> SystemError {
        let said = (result.stderr + result.stdout).trimmingCharacters(in: " \n\t")
        let status = result.exitCode.map { "exit \($0)" } ?? "killed by signal \(result.signal ?? 0)"
        return SystemError.hostCommand(host: host, what: what, reason: "`\(result.command)` → \(status)\(said.isEmpty ? "" : ": " + said)")
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}
