/// A tool's output that its parser cannot read: said, with where, and never read as "nothing
/// there" (a changed format would otherwise become a false "not mounted" or "no session").
public struct ToolOutputError: Error, Equatable, CustomStringConvertible {
    /// The command as an admin would type it (`findmnt --json`).
    public var tool: String
    /// 1-based, when one line is at fault.
    public var line: Int?
    public var text: String

    public init(tool: String, line: Int? = nil, text: String) {
        self.tool = tool
        self.line = line
        self.text = text
    }

    public var description: String {
        line.map { "cannot read line \($0) of `\(tool)`: \"\(text)\"" } ?? "cannot read `\(tool)`: \(text)"
    }

    /// The first line of `output`, cut to a length a message can carry.
    static func firstLine(_ output: String) -> String {
        String((output.split(separator: "\n").first ?? "(nothing printed)").prefix(160))
    }
}
