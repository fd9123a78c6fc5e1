import Foundation
import StorageFuzzTargets
import Testing

/// What scripts/fuzz found stays found: every input it kept in Tests/Fixtures/fuzz-regressions/
/// TARGET/ is fed to that target on every test run (a trap would end this test process), and
/// every target's seed corpus still exists, so the fuzzer does not silently start from nothing.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyKeptInputRunsThroughItsTargetWithoutATrap() throws {
        let directory = Self.root.appendingPathComponent("Tests/Fixtures/fuzz-regressions")
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in targets where !name.hasPrefix(".") {
            let target = try #require(FuzzTargets.named(name), "fuzz-regressions/\(name) is not a fuzz target")
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(name).path) {
                let data = try Data(contentsOf: directory.appendingPathComponent("\(name)/\(file)"))
                target.run(String(decoding: data, as: UTF8.self))
            }
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
