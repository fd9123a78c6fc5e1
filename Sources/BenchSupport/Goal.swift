/// What a row promises, as written in its last field.
public enum Goal: Sendable, Equatable {
    /// `speedup>=N`: the alternative's median over storagekit's is at least N.
    case speedup(atLeast: Double)
    /// `ratio<=N`: storagekit's median over the alternative's is at most N.
    case ratio(atMost: Double)
    /// `at-most=N`: storagekit's median is at most N, in the row's unit.
    case atMost(Double)
    /// `alternative+N`: storagekit's median is at most the alternative's (a configured time) plus N.
    case overAlternative(atMost: Double)
    /// `yes`: storagekit's word is `yes`.
    case yes
    /// `none`: a figure shown for context.
    case none

    static func parse(_ text: String, line: Int) throws(BenchRowError) -> Goal {
        func number(after prefix: String) -> Double? { text.hasPrefix(prefix) ? Double(text.dropFirst(prefix.count)) : nil }
        if let value = number(after: "speedup>=") { return .speedup(atLeast: value) }
        if let value = number(after: "ratio<=") { return .ratio(atMost: value) }
        if let value = number(after: "at-most=") { return .atMost(value) }
        if let value = number(after: "alternative+") { return .overAlternative(atMost: value) }
        if text == "yes" { return .yes }
        if text == "none" { return .none }
        throw BenchRowError(line: line, message: "goal '\(text)' is not one of speedup>=N, ratio<=N, at-most=N, alternative+N, yes, none")
    }

    public var text: String {
        switch self {
        case .speedup(let value): "≥ \(Figure.plain(value))× faster"
        case .ratio(let value): "≤ \(Figure.plain(value))×"
        case .atMost(let value): "≤ \(Figure.plain(value))"
        case .overAlternative(let value): "≤ alternative + \(Figure.plain(value))"
        case .yes: "yes"
        case .none: "—"
        }
    }
}
