import Foundation
import StorageFuzzTargets
import Testing

/// What scripts/fuzz found stays found: every input kept in Tests/Fixtures/fuzz-regressions/
/// TARGET/ (what the fuzzer found, real tool output and edge cases) is fed to that target on
/// every test run (a trap would end this test process); a missing or empty corpus, or a target
/// with no input there, fails. Every target's seed corpus still exists, so the fuzzer does not
/// silently start from nothing.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let regressions = root.appendingPathComponent("Tests/Fixtures/fuzz-regressions")

    /// The files kept in Tests/Fixtures/fuzz-regressions/`target`/ (none when it is missing).
    static func keptInputs(_ target: String) -> [URL] {
        let directory = regressions.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    @Test func everyKeptInputRunsThroughItsTargetWithoutATrap() throws {
        try #require(Self.isDirectory(Self.regressions), "\(Self.regressions.path) is missing: the fuzz regression corpus must be there (see its README.md)")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path).filter { Self.isDirectory(Self.regressions.appendingPathComponent($0)) }
        var replayed = 0
        for name in names.sorted() where !name.hasPrefix(".") {
            let target = try #require(FuzzTargets.named(name), "fuzz-regressions/\(name) is not a fuzz target")
            for file in Self.keptInputs(name) {
                target.run(String(decoding: try Data(contentsOf: file), as: UTF8.self))
                replayed += 1
            }
        }
        #expect(replayed > 0, "\(Self.regressions.path) holds no input: nothing was replayed")
    }

    @Test func everyTargetKeepsInputs() {
        for target in FuzzTargets.all {
            #expect(!Self.keptInputs(target.name).isEmpty, "Tests/Fixtures/fuzz-regressions/\(target.name)/ holds no input: keep at least one there")
        }
    }

    @Test func everyTargetsSeedsExistAndTheNamesAreUnique() {
        #expect(Set(FuzzTargets.all.map(\.name)).count == FuzzTargets.all.count)
        for target in FuzzTargets.all {
            for seed in target.seeds {
                #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(seed).path), "\(target.name): seed \(seed)")
            }
        }
    }

    @Test func eachTargetAcceptsItsOwnSeedsAndGarbage() throws {
        for target in FuzzTargets.all {
            target.run("")
            target.run("\u{0}\n\n:::\u{FFFD}[[{{")
            target.run(String(repeating: "a: [", count: 200))
        }
    }
}
