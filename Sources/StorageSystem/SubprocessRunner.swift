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

    public func run(_ command: Command) async throws(CommandError) -> CommandResult {
        guard let executable = Self.executable(command) else { throw .notFound(command.executable) }
        BrokenPipes.ignore()
        let environment = Self.environment(command)
        let limit = outputLimit
        do {
            return try await withThrowingTaskGroup(of: CommandResult?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        executable, arguments: Arguments(command.arguments), environment: environment,
                        input: .string(command.stdin ?? ""), output: .string(limit: limit), error: .string(limit: limit))
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
                    throw CommandError.timedOut(command.description, after: command.timeout)
                }
                return result
            }
        } catch let error as CommandError {
            throw error
        } catch let error as SubprocessError {
            let text = "\(error)"
            if text.contains("limit") { throw .outputTooLarge(command.description, limit: limit) }
            if text.contains("executableNotFound") || text.contains("not found") || text.contains("No such file") {
                throw .notFound(command.executable)
            }
            throw .launchFailed(command.description, reason: text)
        } catch {
            throw .launchFailed(command.description, reason: "\(error)")
        }
    }
}
