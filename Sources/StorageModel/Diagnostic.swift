/// One problem found in a spec: where it is (field path and line), what is wrong, how to fix it.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var severity: Severity
    /// Field path in the spec, e.g. `hosts[2].address`.
    public var path: String
    /// 1-based line in the spec file, when known.
    public var line: Int?
    public var message: String
    public var fix: String?
    /// A warning about who may reach the storage (root squash, ACL, CHAP, firewall): `check`
    /// repeats these as `spec.exposure` findings.
    public var exposure: Bool

    public init(_ severity: Severity, path: String, line: Int?, message: String, fix: String? = nil, exposure: Bool = false) {
        self.severity = severity
        self.path = path
        self.line = line
        self.message = message
        self.fix = fix
        self.exposure = exposure
    }

    /// `spec.yaml:14: hosts[2].address: "10.0.0.300" is not an IPv4 address (fix: …)`
    public func formatted(file: String) -> String {
        var text = line.map { "\(file):\($0): " } ?? "\(file): "
        if severity == .warning { text += "warning: " }
        text += path.isEmpty ? message : "\(path): \(message)"
        if let fix { text += "\n    fix: \(fix)" }
        return text
    }

    public var description: String { formatted(file: "spec") }
}

extension Array where Element == Diagnostic {
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
