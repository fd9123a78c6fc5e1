import Foundation
import StorageTestSupport
import Testing
@testable import StorageSystem

/// A program's output is asked once while its file stays the same, and again once it changes.
@Suite struct ToolOutputCacheTests {
    @Test func keptWhileTheProgramIsTheSameAskedAgainWhenItChanges() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sk-toolcache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/bin", withIntermediateDirectories: true)
        let program = "\(root)/bin/qemu-system-x86_64"
        FileManager.default.createFile(atPath: program, contents: Data("#!/bin/sh\necho 7.2\n".utf8), attributes: [.posixPermissions: 0o755])
        let runner = ScriptedRunner { CommandResult(command: $0, exitCode: 0, stdout: "QEMU emulator version 7.2.19", stderr: "") }
        let cache = ToolOutputCache(directory: "\(root)/cache")
        let command = Command(program, ["--version"])

        #expect(try await cache.run(command, runner).stdout == "QEMU emulator version 7.2.19")
        #expect(try await cache.run(command, runner).stdout == "QEMU emulator version 7.2.19")
        #expect(runner.commands.count == 1)
        // Other arguments are another entry.
        _ = try await cache.run(Command(program, ["-machine", "help"]), runner)
        #expect(runner.commands.count == 2)

        // An upgrade writes a new file: asked again.
        runner.reply = { CommandResult(command: $0, exitCode: 0, stdout: "QEMU emulator version 8.2.2", stderr: "") }
        try FileManager.default.removeItem(atPath: program)
        FileManager.default.createFile(atPath: program, contents: Data("#!/bin/sh\necho 8.2.2 upgraded\n".utf8), attributes: [.posixPermissions: 0o755])
        #expect(try await cache.run(command, runner).stdout == "QEMU emulator version 8.2.2")
        #expect(runner.commands.count == 3)
    }

    @Test func aFailedRunIsNotKept() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sk-toolcache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runner = ScriptedRunner { CommandResult(command: $0, exitCode: 1, stdout: "", stderr: "broken") }
        let cache = ToolOutputCache(directory: root)
        for _ in 0..<2 { #expect(try await cache.run(Command("/bin/true", ["--version"]), runner).exitCode == 1) }
        #expect(runner.commands.count == 2)
    }
}
