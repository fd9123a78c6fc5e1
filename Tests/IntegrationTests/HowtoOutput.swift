import Foundation

/// How a documented output is compared with a real one (pure).
///
/// Two steps, kept apart on purpose:
/// 1. `HowtoSubstitutions` (real output only, exact strings): what the harness changed is put
///    back as the reader would see it — the test's `skh…` cluster name and everything derived
///    from it, its temporary directory. Regeneration writes the output after this step.
/// 2. `HowtoNormalizer` (both sides, for comparing only): values that differ between two honest
///    runs — durations, UTC timestamps, pids, the random canary file name — compare equal.
struct HowtoSubstitutions: Equatable {
    var pairs: [(from: String, to: String)] = []

    static func == (a: Self, b: Self) -> Bool { a.pairs.elementsEqual(b.pairs) { $0 == $1 } }

    mutating func add(_ from: String, _ to: String) {
        if !from.isEmpty && from != to { pairs.append((from, to)) }
    }

    func apply(_ text: String) -> String {
        pairs.reduce(text) { $0.replacingOccurrences(of: $1.from, with: $1.to) }
    }
}

enum HowtoNormalizer {
    /// Each rule: what varies between runs → the token both sides get.
    static let rules: [(pattern: NSRegularExpression, template: String)] = [
        // A decimal number on its own (a duration: `0.9 s`, `canary 3.2`), not part of an
        // address or version with more dots.
        (#"(?<![\w.])\d+\.\d+(?![\w.])"#, "<n.n>"),
        // Whole milliseconds or seconds: `12 ms`, `3 s`.
        (#"(?<![\w.])\d+ (ms|s)\b"#, "<n> $1"),
        // UTC timestamps of backups: 20261125T082224.123Z (20261125T082224Z before).
        (#"\b\d{8}T\d{6}(\.\d{3})?Z\b"#, "<utc>"),
        // Process ids.
        (#"\b(pid|process) \d+"#, "$1 <pid>"),
        // What kind of machine ran the lab (every lab host is this machine): CPU vendor, flag
        // count, OS release.
        (#"CPU is \w+"#, "CPU is <vendor>"),
        (#"the same \d+ CPU flags"#, "the same <n> CPU flags"),
        (#"runs [a-z]+ [\d.]+"#, "runs <os>"),
        // The canary file `probe nfs --canary` writes: a random name.
        (#"\.storagekit-canary-[0-9A-Fa-f]+"#, ".storagekit-canary-<id>"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    static func normalize(_ line: String) -> String {
        var line = line
        while line.last == " " || line.last == "\t" { line.removeLast() }
        for rule in rules {
            line = rule.pattern.stringByReplacingMatches(
                in: line, range: NSRange(line.startIndex..., in: line), withTemplate: rule.template)
        }
        return line
    }
}

/// Aligns documented lines (which may hold `...`) with real ones: the fewest lines to remove
/// or add, `...` absorbing any run of real lines for free. Zero edits is a match.
struct HowtoComparison {
    enum Row: Equatable {
        case same(String)
        case elided(Int)
        case documented(String)
        case actual(String)
    }

    let rows: [Row]
    var matches: Bool { !rows.contains { if case .documented = $0 { true } else if case .actual = $0 { true } else { false } } }

    init(documented: [String], actual: [String]) {
        let doc = documented.map(HowtoNormalizer.normalize), real = actual.map(HowtoNormalizer.normalize)
        let n = doc.count, m = real.count
        // cost[i][j]: edits to align doc[i...] with real[j...].
        var cost = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n, through: 0, by: -1) {
            for j in stride(from: m, through: 0, by: -1) {
                if i == n { cost[i][j] = m - j; continue }
                if doc[i] == HowtoPage.elision {
                    cost[i][j] = j < m ? min(cost[i + 1][j], cost[i][j + 1]) : cost[i + 1][j]
                    continue
                }
                var best = 1 + cost[i + 1][j]
                if j < m {
                    best = min(best, 1 + cost[i][j + 1])
                    if doc[i] == real[j] { best = min(best, cost[i + 1][j + 1]) }
                }
                cost[i][j] = best
            }
        }
        var rows: [Row] = []
        var i = 0, j = 0, elided = 0
        while i < n || j < m {
            if i < n, doc[i] == HowtoPage.elision {
                // End the elision as soon as the rest aligns as well from here.
                if j == m || cost[i][j] == cost[i + 1][j] {
                    rows.append(.elided(elided))
                    elided = 0
                    i += 1
                } else {
                    elided += 1
                    j += 1
                }
            } else if i < n, j < m, doc[i] == real[j], cost[i][j] == cost[i + 1][j + 1] {
                rows.append(.same(actual[j]))
                i += 1
                j += 1
            } else if i < n, cost[i][j] == 1 + cost[i + 1][j] {
                rows.append(.documented(documented[i]))
                i += 1
            } else {
                rows.append(.actual(actual[j]))
                j += 1
            }
        }
        self.rows = rows
    }

    /// `-` documented, `+` real, two lines of context, long runs of equal lines cut.
    func diff(context: Int = 2) -> [String] {
        let changed = rows.indices.filter { if case .same = rows[$0] { false } else if case .elided = rows[$0] { false } else { true } }
        var shown = Set<Int>()
        for index in changed { shown.formUnion(max(0, index - context)...min(rows.count - 1, index + context)) }
        var lines: [String] = []
        var skipped = 0
        for (index, row) in rows.enumerated() {
            guard shown.contains(index) else {
                skipped += 1
                continue
            }
            if skipped > 0 { lines.append("  @@ \(skipped) matching line(s) @@") }
            skipped = 0
            switch row {
            case .same(let line): lines.append("  \(line)")
            case .elided(let count): lines.append("  ... (\(count) line(s))")
            case .documented(let line): lines.append("- \(line)")
            case .actual(let line): lines.append("+ \(line)")
            }
        }
        if skipped > 0 { lines.append("  @@ \(skipped) matching line(s) @@") }
        return lines
    }
}
