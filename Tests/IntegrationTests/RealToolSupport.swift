import Foundation
import StorageModel
import StorageRender
import StorageSystem
import StorageTestSupport
import Testing

/// Shared plumbing of the real-parser tests: render specs into temporary roots and run the
/// real Debian tools on the result, through the project's one command runner.
enum RealTool {
    static let packageRoot = TestSpecs.packageRoot
    static let specURLs = TestSpecs.urls

    static func load(_ url: URL) throws -> ClusterSpec { try TestSpecs.load(url) }

    /// Renders every host of `spec` under `root/<host>/`; returns (host, file, path on disk).
    static func renderAll(_ spec: ClusterSpec, into root: String) throws -> [(host: String, file: RenderedFile, path: String)] {
        var result: [(String, RenderedFile, String)] = []
        for host in spec.hosts {
            let files = try HostRenderer.render(spec, host: host.name, secrets: TestSpecs.secrets)
            _ = try RenderedFileWriter(fileSystem: LocalFileSystem(root: "\(root)/\(host.name)")).write(files)
            result += files.map { (host.name, $0, "\(root)/\(host.name)\($0.path)") }
        }
        return result
    }

    /// All rendered files of every spec, in one temporary directory.
    static func renderEverySpec(_ directory: TemporaryDirectory) throws -> [(spec: String, host: String, file: RenderedFile, path: String)] {
        try specURLs.flatMap { url in
            let name = url.deletingPathExtension().lastPathComponent
            return try renderAll(load(url), into: "\(directory.path)/\(name)").map { (name, $0.host, $0.file, $0.path) }
        }
    }

    static func run(_ argv: [String], stdin: String? = nil, timeout: Duration = .seconds(30)) async throws -> CommandResult {
        do {
            return try await SubprocessRunner().run(Command(argv[0], Array(argv.dropFirst()), timeout: timeout, stdin: stdin))
        } catch {
            if error.code == .notInstalled {
                Issue.record("\(error.command ?? argv[0]) is missing: run scripts/test (it installs the Debian packages) or apt-get install it")
            }
            throw error
        }
    }

    /// Runs `script` with `sh -c` in a private mount namespace; data goes in as "$1"…, never
    /// into the script text.
    static func inMountNamespace(_ script: String, _ arguments: [String]) async throws -> CommandResult {
        try await run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"] + arguments)
    }
}

/// A directory removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "storagekit-it") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}
