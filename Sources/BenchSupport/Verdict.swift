/// A row judged: its figures, the ratio its goal speaks of, and whether the goal holds.
public struct Verdict: Sendable, Equatable {
    public var row: BenchRow
    public var storagekit: String
    public var alternative: String
    /// `4.2× faster`, `0.31×`, or empty where the goal is not a ratio.
    public var ratio: String
    public var outcome: Outcome

    public enum Outcome: String, Sendable, Equatable {
        case pass, fail
        /// No goal, or the figures it needs are missing.
        case none = "—"
    }

    public init(_ row: BenchRow) {
        self.row = row
        storagekit = Self.describe(row.storagekit, unit: row.unit)
        alternative = [row.alternative, row.alternativeSamples.map { Self.describe($0, unit: row.unit) }].compactMap { $0 }.joined(separator: ": ")
        if alternative.isEmpty { alternative = "—" }

        let mine = Self.median(row.storagekit)
        let theirs = row.alternativeSamples.flatMap(Self.median)
        switch (row.goal, mine, theirs) {
        case (.speedup(let goal), let mine?, let theirs?) where mine > 0:
            let speedup = theirs / mine
            ratio = "\(Figure.plain(speedup))× faster"
            outcome = speedup >= goal ? .pass : .fail
        case (.ratio(let goal), let mine?, let theirs?) where theirs > 0:
            let value = mine / theirs
            ratio = "\(Figure.plain(value))×"
            outcome = value <= goal ? .pass : .fail
        case (.atMost(let limit), let mine?, _):
            ratio = ""
            outcome = mine <= limit ? .pass : .fail
        case (.overAlternative(let slack), let mine?, let theirs?):
            ratio = "\(mine >= theirs ? "+" : "")\(Figure.plain(mine - theirs)) \(row.unit)"
            outcome = mine <= theirs + slack ? .pass : .fail
        case (.yes, _, _):
            ratio = ""
            outcome = row.storagekit == .word("yes") ? .pass : .fail
        case (.none, let mine?, let theirs?) where mine > 0:
            ratio = theirs >= mine ? "\(Figure.plain(theirs / mine))× faster" : "\(Figure.plain(mine / theirs))× slower"
            outcome = .none
        default:
            ratio = ""
            outcome = row.goal == .none ? .none : .fail
        }
    }

    static func median(_ samples: BenchRow.Samples) -> Double? {
        if case .numbers(let values) = samples { return Summary(values)?.median }
        return nil
    }

    static func describe(_ samples: BenchRow.Samples, unit: String) -> String {
        switch samples {
        case .numbers(let values): Summary(values)?.text(unit: unit) ?? "—"
        case .word(let word): word
        }
    }
}
