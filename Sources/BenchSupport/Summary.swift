import Foundation

/// Median, min and max of a row's samples.
public struct Summary: Sendable, Equatable {
    public var median: Double
    public var min: Double
    public var max: Double
    public var count: Int

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        count = sorted.count
    }

    /// `0.41 (0.39–0.47, n=5)`, or only the median for a single run.
    public func text(unit: String) -> String {
        let suffix = unit == "-" ? "" : " \(unit)"
        if count == 1 { return "\(Figure.plain(median))\(suffix) (n=1)" }
        return "\(Figure.plain(median))\(suffix) (\(Figure.plain(min))–\(Figure.plain(max)), n=\(count))"
    }
}

enum Figure {
    /// About three significant digits, never an exponent: 1250, 12.3, 1.25, 0.412, 0.000412.
    static func plain(_ value: Double) -> String {
        let size = abs(value)
        if size >= 100 { return String(format: "%.0f", value) }
        if size >= 10 { return trimmed(String(format: "%.1f", value)) }
        if size >= 1 { return trimmed(String(format: "%.2f", value)) }
        return trimmed(String(format: "%.3g", value))
    }

    static func trimmed(_ text: String) -> String {
        guard text.contains("."), !text.contains("e") else { return text }
        var text = text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
