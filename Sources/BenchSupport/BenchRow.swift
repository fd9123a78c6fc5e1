import Foundation

/// One measured row of a bench section, as the section scripts write it: a line of seven
/// TAB-separated fields
/// `section  what  unit  storagekit-samples  alternative-label  alternative-samples  goal`.
/// Samples are comma-separated numbers in `unit` (or words without numbers, for a yes/no row); `-` is "none".
public struct BenchRow: Sendable, Equatable {
    public var section: String
    public var what: String
    public var unit: String
    public var storagekit: Samples
    public var alternative: String?
    public var alternativeSamples: Samples?
    public var goal: Goal

    public init(section: String, what: String, unit: String, storagekit: Samples, alternative: String?, alternativeSamples: Samples?, goal: Goal) {
        self.section = section
        self.what = what
        self.unit = unit
        self.storagekit = storagekit
        self.alternative = alternative
        self.alternativeSamples = alternativeSamples
        self.goal = goal
    }

    public enum Samples: Sendable, Equatable {
        case numbers([Double])
        /// A verdict or a short account, for rows about correctness rather than time.
        case word(String)
    }

    /// Parses one line; the error names the field and the line's number for the section's author.
    public static func parse(_ line: Substring, lineNumber: Int) throws(BenchRowError) -> BenchRow {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7 else { throw BenchRowError(line: lineNumber, message: "has \(fields.count) TAB-separated fields, not 7") }
        let goal = try Goal.parse(fields[6], line: lineNumber)
        let mine = try samples(fields[3], field: "storagekit samples", line: lineNumber)
        guard let mine else { throw BenchRowError(line: lineNumber, message: "has no storagekit samples") }
        return BenchRow(
            section: fields[0], what: fields[1], unit: fields[2], storagekit: mine,
            alternative: fields[4] == "-" ? nil : fields[4],
            alternativeSamples: try samples(fields[5], field: "alternative samples", line: lineNumber), goal: goal)
    }

    static func samples(_ field: String, field name: String, line: Int) throws(BenchRowError) -> Samples? {
        if field == "-" || field.isEmpty { return nil }
        let parts = field.split(separator: ",")
        let numbers = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        if numbers.count == parts.count { return .numbers(numbers) }
        if numbers.isEmpty { return .word(field) }
        throw BenchRowError(line: line, message: "\(name) '\(field)' are neither numbers nor one word")
    }

    public static func parseAll(_ text: String) throws(BenchRowError) -> [BenchRow] {
        var rows: [BenchRow] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            rows.append(try parse(line, lineNumber: index + 1))
        }
        return rows
    }
}

public struct BenchRowError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { "bench rows, line \(line): \(message)" }
}
