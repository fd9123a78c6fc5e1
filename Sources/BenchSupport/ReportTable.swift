/// The table every bench run prints and writes to bench/RESULTS.md.
public enum ReportTable {
    static let headers = ["section", "what", "storagekit", "alternative", "ratio", "goal", "result"]

    static func cells(_ verdict: Verdict) -> [String] {
        [verdict.row.section, verdict.row.what, verdict.storagekit, verdict.alternative, verdict.ratio, verdict.row.goal.text, verdict.outcome.rawValue]
    }

    /// Columns padded for a terminal.
    public static func text(_ verdicts: [Verdict]) -> String {
        let rows = [headers] + verdicts.map(cells)
        let widths = headers.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }

    /// A Markdown table; a `|` inside a cell is escaped.
    public static func markdown(_ verdicts: [Verdict]) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingAll("|", with: "\\|") }.joined(separator: " | ") + " |" }
        return ([line(headers), line(headers.map { _ in "---" })] + verdicts.map { line(cells($0)) }).joined(separator: "\n") + "\n"
    }

    /// bench/RESULTS.md: when and where, the table, and the tally.
    public static func document(_ verdicts: [Verdict], date: String, machine: String, command: String) -> String {
        let failed = verdicts.filter { $0.outcome == .fail }
        let judged = verdicts.filter { $0.outcome != .none }
        var text = """
            # Bench results

            Run \(date) on \(machine), by `\(command)`. Each figure is the median (min–max, n runs) measured
            side by side in the same run; ratios compare medians. Regenerate with `scripts/bench`.


            """
        text += markdown(verdicts)
        text += "\n\(judged.count - failed.count) of \(judged.count) goals met."
        if !failed.isEmpty { text += " Missed: " + failed.map { "\($0.row.section) — \($0.row.what)" }.joined(separator: "; ") + "." }
        return text + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
