import Foundation
import StorageModel
import StorageRender
import Testing

/// Paths of the package, found from this file so tests run from any working directory.
enum PackagePaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = root.appendingPathComponent("examples")
    static let templates = root.appendingPathComponent("templates")
    static let specs = root.appendingPathComponent("Tests/StorageRenderTests/Specs")
    static let golden = root.appendingPathComponent("Tests/StorageRenderTests/Golden")
}

/// A spec rendered for golden comparison: every example plus the variant specs in Specs/.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    let name: String
    let specURL: URL
    var testDescription: String { name }

    static let secrets = ["/etc/storagekit/vm.chap": "golden-secret-01"]

    static var all: [GoldenCase] {
        [PackagePaths.examples, PackagePaths.specs].flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.sorted()
                .map { GoldenCase(name: String($0.dropLast(5)), specURL: directory.appendingPathComponent($0)) }
        }
    }

    func load() throws -> ClusterSpec {
        try SpecLoader.load(yaml: String(contentsOf: specURL, encoding: .utf8)).spec
    }

    /// host → rendered files
    func render() throws -> [(host: String, files: [RenderedFile])] {
        let spec = try load()
        return try spec.hosts.map { ($0.name, try HostRenderer.render(spec, host: $0.name, secrets: Self.secrets)) }
    }
}

