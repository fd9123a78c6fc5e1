/// Field path → 1-based line in the spec file, filled while loading so that validation
/// (which works on typed values) can still point at the line an admin has to edit.
public struct SourceMap: Sendable, Equatable {
    private var lines: [String: Int] = [:]

    public init() {}

    mutating func record(_ path: String, line: Int?) {
        guard let line, lines[path] == nil else { return }
        lines[path] = line
    }

    /// Whether the spec wrote this exact field.
    public func contains(_ path: String) -> Bool { lines[path] != nil }

    /// The line of `path`, or of its nearest recorded parent (`a.b[2].c` → `a.b[2]` → `a.b` → `a`).
    public func line(of path: String) -> Int? {
        var current = path
        while !current.isEmpty {
            if let line = lines[current] { return line }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            current = String(current[..<cut])
        }
        return nil
    }
}
