import Foundation
import StorageModel
import Testing

@Suite struct SystemdUnitRealParserTests {
    /// systemd refuses a mount unit whose name does not match Where=, among other things.
    @Test func everyRenderedMountUnitPassesSystemdAnalyzeVerify() async throws {
        let directory = try TemporaryDirectory()
        let units = try RealTool.renderEverySpec(directory).filter { $0.file.path.hasSuffix(".mount") }
        #expect(units.count >= 8)
        for unit in units {
            let scratch = try TemporaryDirectory()
            let name = (unit.file.path as NSString).lastPathComponent
            _ = try scratch.write(name, unit.file.content)
            let result = try await RealTool.run(["sh", "-c", "cd \"$1\" && exec systemd-analyze verify --man=no \"./$2\"", "sh", scratch.path, name])
            #expect(result.exitCode == 0 && result.stderr.isEmpty, "\(unit.spec)/\(unit.host)\(unit.file.path): \(result.stderr)")
        }
    }

    @Test func aUnitNamedAfterAnotherPathIsRefused() async throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("wrong-name.mount", "[Mount]\nWhat=10.0.0.1:/x\nWhere=/var/lib/vmstore\nType=nfs\n")
        let result = try await RealTool.run(["sh", "-c", "cd \"$1\" && exec systemd-analyze verify --man=no ./wrong-name.mount", "sh", directory.path])
        #expect(result.exitCode != 0)
    }

    @Test(arguments: ["/var/lib/vmstore", "/mnt/storage", "/xen", "/", "/srv/vm-store", "/srv/vm.store/a_b", "/mnt/my storage", "/srv/vmstore/", "/data/tëst", "/a//b", "/.hidden/x"])
    func unitNamesMatchSystemdEscape(_ path: String) async throws {
        let result = try await RealTool.run(["systemd-escape", "--path", path])
        #expect(SystemdEscape.path(path) == result.stdout.trimmingCharacters(in: .newlines))
    }
}
