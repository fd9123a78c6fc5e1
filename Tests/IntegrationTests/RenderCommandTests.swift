import Foundation
import StorageRender
import Testing

/// The `storagekit` binary itself: exit codes, `--json`, determinism, and templates embedded so a
/// copy elsewhere still renders.
@Suite struct RenderCommandTests {
    static var binary: String {
        let candidates = [".build/debug/storagekit", ".build/release/storagekit"].map { RealTool.packageRoot.appendingPathComponent($0).path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    static let kvmNFS = RealTool.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml").path

    struct Report: Decodable {
        struct Host: Decodable { let host: String; let root: String; let files: [File] }
        struct File: Decodable { let path: String; let mode: String; let sha256: String; let changed: Bool }
        let dryRun: Bool
        let hosts: [Host]
    }

    @Test func jsonListsEveryFileWithTheSha256OfWhatWasWritten() async throws {
        let directory = try TemporaryDirectory()
        let result = try await RealTool.run([Self.binary, "render", "--spec", Self.kvmNFS, "--host", "nfs1", "--root", directory.path, "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        let files = try #require(report.hosts.first).files
        #expect(files.map(\.path) == ["/etc/exports", "/etc/modprobe.d/lockd.conf", "/etc/nfs.conf", "/etc/sysconfig/iptables", "/etc/sysconfig/nfs"])
        for file in files {
            let onDisk = try String(contentsOfFile: directory.path + file.path, encoding: .utf8)
            #expect(RenderedFile.sha256(of: onDisk) == file.sha256, "\(file.path)")
            let mode = try FileManager.default.attributesOfItem(atPath: directory.path + file.path)[.posixPermissions] as? Int
            #expect(mode.map { String($0, radix: 8) } == String(file.mode.drop { $0 == "0" }), "\(file.path)")
        }
    }

    @Test func twoRendersAreByteIdenticalAndTheSecondChangesNothing() async throws {
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        for directory in [first, second] {
            let result = try await RealTool.run([Self.binary, "render", "--spec", Self.kvmNFS, "--all", "--root", directory.path])
            #expect(result.exitCode == 0, "\(result.stderr)")
        }
        let again = try await RealTool.run([Self.binary, "render", "--spec", Self.kvmNFS, "--all", "--root", first.path, "--json"])
        let report = try JSONDecoder().decode(Report.self, from: Data(again.stdout.utf8))
        #expect(report.hosts.flatMap(\.files).allSatisfy { !$0.changed })
        let diff = try await RealTool.run(["diff", "-r", first.path, second.path])
        #expect(diff.exitCode == 0, "\(diff.stdout)")
    }

    @Test func dryRunWritesNothing() async throws {
        let directory = try TemporaryDirectory()
        let result = try await RealTool.run([Self.binary, "render", "--spec", Self.kvmNFS, "--all", "--root", directory.path, "--dry-run"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("would write"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aCopiedBinaryStillRenders() async throws {
        let directory = try TemporaryDirectory()
        let copy = "\(directory.path)/bin/storagekit"
        try FileManager.default.createDirectory(atPath: "\(directory.path)/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.binary, toPath: copy)
        let result = try await RealTool.run([copy, "render", "--spec", Self.kvmNFS, "--host", "kvm1", "--root", "\(directory.path)/root"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let unit = try String(contentsOfFile: "\(directory.path)/root/etc/systemd/system/mnt-storage.mount", encoding: .utf8)
        #expect(unit.contains("What=10.20.0.9:/data1/storage"))
    }

    @Test func anInvalidSpecExitsTwoWithTheLineAndNoFiles() async throws {
        let directory = try TemporaryDirectory()
        let spec = try directory.write("bad.yaml", try String(contentsOfFile: Self.kvmNFS, encoding: .utf8)
            .replacingOccurrences(of: "address: 10.20.0.11", with: "address: 10.20.0.300"))
        let validate = try await RealTool.run([Self.binary, "validate", "--spec", spec])
        #expect(validate.exitCode == 2)
        #expect(validate.stderr.contains("bad.yaml:13: hosts[1].address: \"10.20.0.300\" is not an IPv4 address"))
        let render = try await RealTool.run([Self.binary, "render", "--spec", spec, "--all", "--root", "\(directory.path)/root"])
        #expect(render.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/root"))
        let usage = try await RealTool.run([Self.binary, "render", "--spec", Self.kvmNFS, "--root", directory.path])
        #expect(usage.exitCode == 2, "missing --host is a usage error (exit 2, not ArgumentParser's 64)")
        #expect(usage.stderr.contains("--host"))
    }

    @Test func validateJSONIsOneDocument() async throws {
        let result = try await RealTool.run([Self.binary, "validate", "--spec", Self.kvmNFS, "--json"])
        #expect(result.exitCode == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == true)
        #expect(object?["errors"] as? Int == 0)
    }
}
