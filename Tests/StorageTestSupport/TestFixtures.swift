import Foundation

/// Tool output and files captured from real systems, under Tests/Fixtures, found from this
/// file so tests run from any working directory.
public enum TestFixtures {
    public static let directory = TestSpecs.packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The text of Tests/Fixtures/`path`.
    public static func text(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }
}
