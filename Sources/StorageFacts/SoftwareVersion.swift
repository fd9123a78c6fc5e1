/// A dotted release number as a tool prints it (`9.0.0`, `7.2.19`), ordered numerically.
public struct SoftwareVersion: Sendable, Codable, Equatable, Comparable, CustomStringConvertible {
    public var parts: [Int]

    /// nil unless `text` is numbers separated by dots (`9.0.0`; not `9.0.0-rc1`).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.count <= 4, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        self.parts = parts.map { $0! }
    }

    public init(_ parts: Int...) { self.parts = parts }

    public var description: String { parts.map(String.init).joined(separator: ".") }

    public static func < (lhs: SoftwareVersion, rhs: SoftwareVersion) -> Bool {
        let count = max(lhs.parts.count, rhs.parts.count)
        let left = lhs.parts + Array(repeating: 0, count: count - lhs.parts.count)
        let right = rhs.parts + Array(repeating: 0, count: count - rhs.parts.count)
        return left.lexicographicallyPrecedes(right)
    }

    public static func == (lhs: SoftwareVersion, rhs: SoftwareVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }
}
