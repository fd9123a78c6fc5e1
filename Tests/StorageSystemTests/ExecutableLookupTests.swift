import Foundation
import Testing
@testable import StorageSystem

/// A command's name is found in PATH in this process, not by starting one per directory.
@Suite struct ExecutableLookupTests {
    @Test func theFirstExecutableFileInPathOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sk-lookup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["a", "b", "c"] { try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true) }
        // a: not executable; b: a directory of that name; c: the tool.
        FileManager.default.createFile(atPath: "\(root)/a/tool", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644])
        try FileManager.default.createDirectory(atPath: "\(root)/b/tool", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(root)/c/tool", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        #expect(ExecutableLookup.find("tool", path: "\(root)/a:\(root)/b:\(root)/c") == "\(root)/c/tool")
        #expect(ExecutableLookup.find("tool", path: "\(root)/a:\(root)/b") == nil)
    }

    @Test func aMissingToolIsNotFoundWithoutStartingAnything() async throws {
        await #expect(throws: SystemError.notInstalled("storagekit-no-such-tool")) {
            _ = try await SubprocessRunner().run(Command("storagekit-no-such-tool", []))
        }
        let found = try await SubprocessRunner().run(Command("true", [], environment: ["PATH": "/usr/bin:/bin"]))
        #expect(found.exitCode == 0)
    }
}
