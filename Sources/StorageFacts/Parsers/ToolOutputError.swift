/// A tool's output, or a file, that its parser cannot read: said, with where, and never read as
/// "nothing there" (a changed format would otherwise become a false "not mounted", "no session",
/// "no guests"). The one parse error of every parser of tool output.
public struct ToolOutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// One line is not what the tool prints there (`line` and `text` say which).
        case unreadableLine = "unreadable-line"
        /// The whole output is not the tool's format (not its JSON or XML, no header of its own).
        case notItsFormat = "not-its-format"
    }

    public var code: Code
    /// What was read, as an admin would type or open it (`findmnt --json`, `/proc/drbd`,
    /// `/etc/libvirt/qemu/web.xml`).
    public var tool: String
    /// 1-based, when one line is at fault.
    public var line: Int?
    /// The line that could not be read, or what is wrong with the whole.
    public var text: String
    /// What the line lacks, when the parser knows (`a device line needs cs:, ro: and ds:`).
    public var reason: String?

    public init(tool: String, line: Int? = nil, text: String, reason: String? = nil) {
        self.code = line == nil ? .notItsFormat : .unreadableLine
        self.tool = tool
        self.line = line
        self.text = text
        self.reason = reason
    }

    public var description: String {
        guard let line else { return "cannot read `\(tool)`: \(text)" }
        return "cannot read line \(line) of `\(tool)`\(reason.map { " (\($0))" } ?? ""): \"\(text)\""
    }

    /// The first line of `output`, cut to a length a message can carry.
    public static func firstLine(_ output: String) -> String {
        String((output.split(separator: "\n").first ?? "(nothing printed)").prefix(160))
    }
}
