import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing

/// Hostile values in every field that reaches a rendered file or a command line: newlines,
/// shell metacharacters, `..`, very long strings, unicode look-alikes. Each is rejected by
/// validation naming its field, and every command refuses an invalid spec before rendering or
/// running anything (RenderCommandTests: exit 2, no file), so no such value reaches a config
/// or a tool. HostileSpecCommandTests drives the binary with the newline payloads.
@Suite struct HostileSpecValueTests {
    func load(_ yaml: String) throws -> (ClusterSpec, [Diagnostic]) {
        let loaded = try SpecLoader.load(yaml: yaml)
        return (loaded.spec, SpecValidator(secretFile: { _ in .ok(length: 16) }).validate(loaded))
    }

    @Test func theBaseIsValidSoEachRejectionIsTheHostileValues() throws {
        let (_, diagnostics) = try load(HostileSpecs.base)
        #expect(!diagnostics.hasErrors, "\(diagnostics.errors)")
    }

    @Test(arguments: HostileSpecs.cases.indices)
    func aHostileValueIsRejectedNamingItsField(_ index: Int) throws {
        let (original, replacement, field) = HostileSpecs.cases[index]
        #expect(HostileSpecs.base.contains(original))
        let yaml = HostileSpecs.base.replacingOccurrences(of: original, with: replacement)
        let (_, diagnostics) = try load(yaml)
        let errors = diagnostics.errors
        #expect(errors.contains { $0.path.hasPrefix(field) }, "\(replacement.prefix(80)): no error on \(field); errors: \(errors.map { "\($0.path): \($0.message)" })")
        #expect(errors.allSatisfy { !($0.fix ?? "").isEmpty || !$0.message.isEmpty })
    }
}
