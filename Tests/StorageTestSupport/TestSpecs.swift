import Foundation
import StorageModel

/// The specs every rendering test runs on: the examples and the variant specs next to the
/// golden files, found from this file so tests run from any working directory.
public enum TestSpecs {
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// examples/*.yaml then Tests/StorageRenderTests/Specs/*.yaml, each sorted by name.
    public static let urls: [URL] = ["examples", "Tests/StorageRenderTests/Specs"].flatMap { directory in
        let url = packageRoot.appendingPathComponent(directory)
        return ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { url.appendingPathComponent($0) }
    }

    /// The CHAP secret the variant specs' secret file stands for (rendering never reads disk).
    public static let secrets = ["/etc/storagekit/vm.chap": "golden-secret-01", "/run/storagekit/lab-chap.secret": "golden-secret-02", "/run/storagekit/klab-chap.secret": "golden-secret-03", "/run/storagekit/rlab-chap.secret": "golden-secret-04", "/run/storagekit/kllio-chap.secret": "golden-secret-05"]

    public static func name(of url: URL) -> String { url.deletingPathExtension().lastPathComponent }

    public static func load(_ url: URL) throws -> ClusterSpec {
        try SpecLoader.load(yaml: String(contentsOf: url, encoding: .utf8)).spec
    }
}
