import Foundation
import StorageSystem
import Testing

/// kmod's own parser (`modprobe -C DIR -c`) reads every rendered /etc/modprobe.d file: lockd's
/// pinned NLM ports and DRBD's disable_sendpage come out as options kmod applies; a bad line is
/// reported ("ignoring bad line"), so a rendered file that kmod would skip cannot pass.
@Suite struct ModprobeConfRealParserTests {
    func parsed(_ directory: TemporaryDirectory, _ name: String, _ content: String) async throws -> CommandResult {
        let folder = "\(directory.path)/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try content.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        return try await RealTool.run(["modprobe", "-C", folder, "-c"])
    }

    @Test func everyRenderedModprobeFileIsReadByKmodAsTheOptionsItMeans() async throws {
        let directory = try TemporaryDirectory()
        let files = try RealTool.renderEverySpec(directory).filter { $0.file.path.hasPrefix("/etc/modprobe.d/") }
        #expect(files.contains { $0.file.path == "/etc/modprobe.d/lockd.conf" } && files.contains { $0.file.path == "/etc/modprobe.d/drbd.conf" })
        for file in files {
            let content = try String(contentsOfFile: file.path, encoding: .utf8)
            let result = try await parsed(directory, (file.file.path as NSString).lastPathComponent, content)
            #expect(result.exitCode == 0 && !result.stderr.contains("bad line"), "\(file.spec)/\(file.host) \(file.file.path as String): \(result.stderr)")
            let options = content.split(separator: "\n").filter { $0.hasPrefix("options ") }
            #expect(!options.isEmpty)
            for line in options { #expect(result.stdout.contains(line), "kmod did not take `\(line)` from \(file.spec)/\(file.host)") }
        }
    }

    @Test func aLineKmodCannotReadIsReported() async throws {
        let result = try await parsed(try TemporaryDirectory(), "drbd.conf", "optons drbd disable_sendpage=1\n")
        #expect(result.stderr.contains("ignoring bad line"))
        #expect(!result.stdout.contains("disable_sendpage"))
    }
}
