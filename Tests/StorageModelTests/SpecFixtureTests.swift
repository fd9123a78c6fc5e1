import Foundation
import StorageModel
import Testing

@Suite struct SpecFixtureTests {
    @Test func theBaseSpecIsValidWithoutWarnings() throws {
        #expect(try SpecFixture.diagnostics() == [])
    }

    @Test(arguments: ["kvm-nfs", "xen-iscsi-multipath", "xen-nfs-on-hypervisor", "xen-drbd"])
    func everyExampleIsValid(_ name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("examples/\(name).yaml"), encoding: .utf8)
        let diagnostics = try SpecFixture.validate(text)
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
    }
}
