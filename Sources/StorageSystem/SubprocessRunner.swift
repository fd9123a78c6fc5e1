import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs commands with swift-subprocess: bounded output, a deadline after which the process is
/// killed, exit status as a value.
public struct SubprocessRunner: CommandRunner {
    public var outputLimit: Int

    public init(outputLimit: Int = 16 << 20) {
        self.outputLimit = outputLimit
    }

    /// What swift-subprocess starts for `command`: its path, or its name found in PATH here;
    /// nil when no executable has that name.
    static func executable(_ command: Command) -> Executable? {
        if command.executable.contains("/") { return .path(FilePath(command.executable)) }
        return ExecutableLookup.find(command.executable, path: ExecutableLookup.searchPath(command)).map { .path(FilePath($0)) }
    }

    /// The inherited environment with `command`'s entries on top.
    static func environment(_ command: Command) -> Environment {
        command.environment.isEmpty
            ? .inherit
            : .inherit.updating(Dictionary(uniqueKeysWithValues: command.environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) }))
    }

    /// `text` in an anonymous file (on /dev/shm, a tmpfs, where there is one; mode 0600 and
    /// unlinked at once, so nothing else can open it and it goes with its last descriptor),
    /// positioned at its start.
    static func memoryFile(_ text: String) throws -> FileDescriptor {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(directory)/storagekit-stdin.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        // Not inherited by the other children started meanwhile (the spawn gives it to its own).
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let file = FileDescriptor(rawValue: fd)
        do {
            _ = try file.writeAll(Array(text.utf8))
            _ = try file.seek(offset: 0, from: FileDescriptor.SeekOrigin.start)
        } catch {
            try? file.close()
            throw error
        }
        return file
    }

    public func run(_ command: Command) async throws(SystemError) -> CommandResult {
        guard let executable = Self.executable(command) else { throw .notInstalled(command.executable) }
        BrokenPipes.ignore()
        let environment = Self.environment(command)
        let limit = outputLimit
        // stdin comes from an in-memory file, not a pipe: a tool that exits before reading it all
        // (rejecting its input at the first line) leaves nothing half-written to fail on.
        let stdin: FileDescriptor?
        do {
            if let file = command.stdinFile {
                stdin = try FileDescriptor.open(file, .readOnly, options: [.closeOnExec])
            } else {
                stdin = try command.stdin.map(Self.memoryFile)
            }
        } catch {
            throw .launchFailed(command.description, reason: "cannot read its input: \(error)")
        }
        do {
            return try await withThrowingTaskGroup(of: CommandResult?.self) { group in
                group.addTask {
                    let result = if let stdin {
                        try await Subprocess.run(
                            executable, arguments: Arguments(command.arguments), environment: environment,
                            input: .fileDescriptor(stdin, closeAfterSpawningProcess: true), output: .string(limit: limit), error: .string(limit: limit))
                    } else {
                        try await Subprocess.run(
                            executable, arguments: Arguments(command.arguments), environment: environment,
                            input: .none, output: .string(limit: limit), error: .string(limit: limit))
                    }
                    var exitCode: Int32?
                    var signal: Int32?
                    switch result.terminationStatus {
                    case .exited(let code): exitCode = code
                    case .signaled(let number): signal = number
                    }
                    return CommandResult(
                        command: command, exitCode: exitCode, signal: signal,
                        stdout: result.standardOutput ?? "", stderr: result.standardError ?? "")
                }
                group.addTask {
                    try await Task.sleep(for: command.timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw SystemError.timedOut(command.description, after: command.timeout)
                }
                return result
            }
        } catch let error as SystemError {
            throw error
        } catch let error as SubprocessError {
            let text = "\(error)"
            if text.contains("limit") { throw .outputTooLarge(command.description, limit: limit) }
            if text.contains("executableNotFound") || text.contains("not found") || text.contains("No such file") {
                throw .notInstalled(command.executable)
            }
            throw .launchFailed(command.description, reason: text)
        } catch {
            throw .launchFailed(command.description, reason: "\(error)")
        }
    }
}
