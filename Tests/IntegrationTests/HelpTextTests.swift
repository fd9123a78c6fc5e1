import Foundation
import StorageSystem
import Testing

/// Every command's --help reads well at 80 columns: no line wider (the usage line aside, which
/// the argument parser never wraps), and no sentence broken twice (a short line whose sentence
/// goes on below it: a hard newline in the source that the parser's own wrapping then split).
@Suite struct HelpTextTests {
    static func commandPaths() async throws -> [[String]] {
        let dump = try await SubprocessRunner().run(Command(RenderCommandTests.binary, ["--experimental-dump-help"]))
        struct Node: Decodable {
            var commandName: String
            var subcommands: [Node]?
        }
        struct Dump: Decodable { var command: Node }
        let root = try JSONDecoder().decode(Dump.self, from: Data(dump.stdout.utf8)).command
        func walk(_ node: Node, _ path: [String]) -> [[String]] {
            [path] + (node.subcommands ?? []).filter { $0.commandName != "help" }.flatMap { walk($0, path + [$0.commandName]) }
        }
        return walk(root, [])
    }

    @Test func everyCommandsHelpFitsEightyColumnsWithoutRaggedLines() async throws {
        let paths = try await Self.commandPaths()
        #expect(paths.count > 20)
        for path in paths {
            let help = try await SubprocessRunner().run(Command(RenderCommandTests.binary, path + ["--help"], environment: ["COLUMNS": "80"]))
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let name = (["storagekit"] + path).joined(separator: " ")
            #expect(!lines.isEmpty, "\(name): no help")
            for line in lines where line.count > 80 && !line.hasPrefix("USAGE:") {
                Issue.record("\(name): \(line.count) columns: \(line)")
            }
            for (line, next) in zip(lines, lines.dropFirst()) where Self.isBrokenSentence(line, next) {
                Issue.record("\(name): a sentence broken after \"\(line)\"")
            }
        }
    }

    /// A prose line well short of the width, not ending a sentence or a clause, followed by a
    /// line that goes on in lower case.
    static func isBrokenSentence(_ line: String, _ next: String) -> Bool {
        guard line.count < 60, !line.hasPrefix(" "), !line.isEmpty, let first = next.first, first.isLowercase else { return false }
        return !line.hasSuffix(".") && !line.hasSuffix(":") && !line.hasSuffix(")")
    }
}
