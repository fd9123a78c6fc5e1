import Foundation
import StorageSystem
import Testing

/// Every command's --help reads well at 80 columns: no line wider (the usage line aside, which
/// the argument parser never wraps), and no ragged paragraph (a hard newline in the source
/// inside a paragraph, which the parser's own wrapping leaves as a short line).
@Suite struct HelpTextTests {
    static let width = 80

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

    @Test func everyCommandsHelpFitsEightyColumnsWithoutRaggedParagraphs() async throws {
        let paths = try await Self.commandPaths()
        #expect(paths.count > 30)
        for path in paths {
            let help = try await SubprocessRunner().run(Command(RenderCommandTests.binary, path + ["--help"], environment: ["COLUMNS": "\(Self.width)"]))
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let name = (["storagekit"] + path).joined(separator: " ")
            #expect(lines.count > 3, "\(name): no help")
            for line in lines where line.count > Self.width && !line.hasPrefix("USAGE:") {
                Issue.record("\(name): \(line.count) columns: \(line)")
            }
            for (line, next) in zip(lines, lines.dropFirst()) where Self.isRagged(line, next) {
                Issue.record("\(name): a paragraph broken after \"\(line)\" (\(line.count) columns), though \"\(next.split(separator: " ").first ?? "")\" fits there")
            }
        }
    }

    @Test(arguments: [
        // The parser's wrapping: the next word would not have fitted.
        ("Every hypervisor must see the same disk images at the same path before a guest", "can move.", false),
        ("  --host <name>           Act on this host only (repeatable); default: every", "                          host the command concerns.", false),
        // A newline in the source inside a paragraph.
        ("Live state is read with `tgtadm --op show`.", "Exit status: 0 set up and verified.", true),
        ("  --host <name>           Act on this host only", "                          (repeatable).", true),
        ("                          Act on this host only", "                          (repeatable).", true),
        // Not one paragraph: a new paragraph, a new row, a row whose text starts below its label, a list.
        ("Live state is read with `tgtadm --op show`.", "", false),
        ("  --json                  Print one JSON document.", "  --dry-run               Show the plan.", false),
        ("  --confirm-within <seconds>", "                          Put the previous firewall rules back.", false),
        ("                          guests with Debian's own kernel.", "        Needs qemu-system-x86.", false),
        ("The steps:", "- create-md on each node", false),
        ("1. create-md on each node", "2. up", false),
    ])
    func raggedParagraphsAreTold(_ line: String, _ next: String, _ ragged: Bool) {
        #expect(Self.isRagged(line, next) == ragged)
    }

    /// `next` goes on with `line`'s paragraph (its text starts at the same column) although its
    /// first word would have fitted on `line`: the parser wraps before column 80 only when the
    /// next word does not fit, so this is a hard newline inside the paragraph. List items are
    /// breaks on purpose.
    static func isRagged(_ line: String, _ next: String) -> Bool {
        guard !line.hasPrefix("USAGE:"), let column = textColumn(line) else { return false }
        let text = next.drop { $0 == " " }
        guard !text.isEmpty, next.count - text.count == column, !startsListItem(text) else { return false }
        let word = text.prefix { $0 != " " }
        return line.count + 1 + word.count < width
    }

    /// Where `line`'s text starts: past the label of an option or subcommand row
    /// (`  --host <name>     Act on …`), else at its indentation; nil for a blank line and for a
    /// row whose label is all it holds (its text starts on the next line).
    static func textColumn(_ line: String) -> Int? {
        let indent = line.prefix { $0 == " " }.count
        guard indent < line.count else { return nil }
        guard indent == 2 else { return indent }
        guard let gap = line.firstRange(of: /\S {2,}\S/) else { return nil }
        return line.distance(from: line.startIndex, to: gap.upperBound) - 1
    }

    static func startsListItem(_ text: Substring) -> Bool {
        text.hasPrefix("- ") || text.hasPrefix("• ") || text.prefixMatch(of: #/\d+[.)] /#) != nil
    }
}
