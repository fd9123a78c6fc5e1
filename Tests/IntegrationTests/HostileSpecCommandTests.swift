import Foundation
import StorageTestSupport
import Testing

/// The binary, given a spec with a newline or shell payload in one field: `validate` names the
/// field, `render` exits 2 and writes nothing, `plan` stops before reaching any host.
@Suite struct HostileSpecCommandTests {
    @Test func aPayloadInAnyFieldStopsEveryCommandBeforeAnyFileOrHost() async throws {
        let directory = try TemporaryDirectory("storagekit-hostile")
        let payloads = HostileSpecs.cases.filter { $0.replacement.contains("\\n/srv/evil") || $0.replacement.contains("rm -rf") || $0.replacement.contains("-j ACCEPT") }
        #expect(payloads.count >= 20)
        for (index, item) in payloads.enumerated() {
            let spec = try directory.write("hostile-\(index).yaml", HostileSpecs.base.replacingOccurrences(of: item.original, with: item.replacement))
            let validate = try await RealTool.run([RenderCommandTests.binary, "validate", "--spec", spec])
            #expect(validate.exitCode == 2 && validate.stderr.contains(item.field), "\(item.field): \(validate.stderr.prefix(300))")
            let root = "\(directory.path)/root-\(index)"
            let render = try await RealTool.run([RenderCommandTests.binary, "render", "--spec", spec, "--all", "--root", root])
            #expect(render.exitCode == 2 && !FileManager.default.fileExists(atPath: root), "\(item.field): render wrote something")
            let plan = try await RealTool.run([RenderCommandTests.binary, "plan", "--spec", spec])
            #expect(plan.exitCode == 2 && plan.stdout.isEmpty, "\(item.field): plan went on: \(plan.stdout.prefix(200))")
        }
    }
}
