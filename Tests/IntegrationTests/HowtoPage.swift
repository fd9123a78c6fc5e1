import Foundation

/// A page of docs/howto/ as the harness reads it (pure: text in, steps out).
///
/// - Only ```` ```console ```` blocks run. In one, a line starting with `$ ` is a command; the
///   lines after it, up to the next `$ ` or the end of the block, are its expected output
///   (standard output, then standard error). Trailing empty lines do not count.
/// - A last output line `# exit N` is the expected exit status (0 when absent).
/// - A line `...` stands for any run of lines, none included.
/// - `<!-- howto-lab: examples/….yaml -->` names the spec of the page's lab (at most one).
struct HowtoPage: Equatable {
    struct Step: Equatable {
        /// 1-based line of the `$ ` line.
        var line: Int
        var command: String
        var argv: [String]
        var expected: [String]
        var exitCode: Int32
        /// 0-based lines holding the output and the exit line, for rewriting.
        var outputLines: Range<Int>
    }

    struct ParseError: Error, Equatable, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static let labMarker = "<!-- howto-lab:"
    static let exitPrefix = "# exit "
    static let elision = "..."

    var lines: [String]
    var lab: String?
    var steps: [Step]

    init(_ text: String) throws(ParseError) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        steps = []
        var fence: Int?
        var current: Step?
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if fence == nil {
                if line.hasPrefix(Self.labMarker) {
                    guard lab == nil else { throw ParseError(line: number, message: "a second howto-lab declaration") }
                    guard line.hasSuffix("-->") else { throw ParseError(line: number, message: "howto-lab declaration without -->") }
                    lab = line.dropFirst(Self.labMarker.count).dropLast(3).trimmingCharacters(in: .whitespaces)
                } else if line.trimmingCharacters(in: .whitespaces) == "```console" {
                    fence = number
                }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "```" {
                if let step = current { steps.append(Self.finished(step, in: lines, end: index)) }
                current = nil
                fence = nil
            } else if line.hasPrefix("$ ") {
                if let step = current { steps.append(Self.finished(step, in: lines, end: index)) }
                let command = String(line.dropFirst(2))
                current = Step(
                    line: number, command: command, argv: try Words.split(command, line: number), expected: [], exitCode: 0,
                    outputLines: (index + 1)..<(index + 1))
            } else if current == nil {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw ParseError(line: number, message: "output before any `$ ` command")
                }
            }
        }
        if let fence { throw ParseError(line: fence, message: "```console block is not closed") }
    }

    /// The step's output runs from after its `$ ` line to `end` (exclusive): blank lines at its
    /// end do not count, a last line `# exit N` is the exit status.
    private static func finished(_ step: Step, in lines: [String], end: Int) -> Step {
        var step = step
        let start = step.outputLines.lowerBound
        func blank(_ index: Int) -> Bool { lines[index].trimmingCharacters(in: .whitespaces).isEmpty }
        var end = end
        while end > start && blank(end - 1) { end -= 1 }
        var outputEnd = end
        if end > start, lines[end - 1].hasPrefix(exitPrefix), let code = Int32(lines[end - 1].dropFirst(exitPrefix.count)) {
            step.exitCode = code
            outputEnd = end - 1
            while outputEnd > start && blank(outputEnd - 1) { outputEnd -= 1 }
        }
        step.expected = Array(lines[start..<outputEnd])
        step.outputLines = start..<end
        return step
    }

    /// The page with the outputs of some steps (by index) replaced; the rest stays as written.
    func replacingOutputs(_ outputs: [Int: (lines: [String], exitCode: Int32)]) -> String {
        var result = lines
        for (index, step) in steps.enumerated().reversed() {
            guard let output = outputs[index] else { continue }
            let replacement = output.lines + (output.exitCode == 0 ? [] : ["\(Self.exitPrefix)\(output.exitCode)"])
            result.replaceSubrange(step.outputLines, with: replacement)
        }
        return result.joined(separator: "\n")
    }
}

/// Splits a command line into words like a shell would for plain commands: spaces separate,
/// single and double quotes group (no escapes inside single quotes, `\"` and `\\` inside
/// double quotes). Anything that needs a shell (pipes, redirections, `$`, `;`, `&`, backquotes)
/// is refused: the harness runs argv, so a page must not promise more.
enum Words {
    static func split(_ text: String, line: Int = 0) throws(HowtoPage.ParseError) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open {
                    quote = nil
                } else if open == "\"", character == "\\", let next = characters.first, next == "\"" || next == "\\" {
                    word.append(characters.removeFirst())
                } else {
                    word.append(character)
                }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else if "|&;<>$`\\(){}*?".contains(character) {
                throw HowtoPage.ParseError(
                    line: line, message: "`\(character)` needs a shell; the harness runs plain commands (quote it if it is data)")
            } else {
                word.append(character)
                inWord = true
            }
        }
        if quote != nil { throw HowtoPage.ParseError(line: line, message: "unclosed quote in `\(text)`") }
        if inWord { words.append(word) }
        return words
    }
}
