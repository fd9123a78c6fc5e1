import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing

enum PackagePaths {
    static let templates = TestSpecs.packageRoot.appendingPathComponent("templates")
    static let golden = TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Golden")
}

/// A spec rendered for golden comparison.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    let name: String
    let specURL: URL
    var testDescription: String { name }

    static var all: [GoldenCase] { TestSpecs.urls.map { GoldenCase(name: TestSpecs.name(of: $0), specURL: $0) } }

    func load() throws -> ClusterSpec { try TestSpecs.load(specURL) }

    /// host → rendered files
    func render() throws -> [(host: String, files: [RenderedFile])] {
        let spec = try load()
        return try spec.hosts.map { ($0.name, try HostRenderer.render(spec, host: $0.name, secrets: TestSpecs.secrets)) }
    }
}
