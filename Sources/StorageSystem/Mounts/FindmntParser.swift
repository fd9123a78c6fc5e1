import Foundation

/// `findmnt --json PATH`: `{"filesystems": [{"target", "source", "fstype", "options"}]}`;
/// findmnt prints nothing and exits 1 when PATH is not a mount point.
public enum FindmntParser {
    public struct Mounted: Sendable, Equatable, Decodable {
        public var target: String
        public var source: String
        public var fstype: String
        public var options: String
    }

    struct Document: Decodable { let filesystems: [Mounted] }

    /// The file systems; none for empty output (not a mount point). Output that is not
    /// findmnt's JSON is an error.
    public static func parse(_ output: String) throws(ToolOutputError) -> [Mounted] {
        guard !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        do {
            return try JSONDecoder().decode(Document.self, from: Data(output.utf8)).filesystems
        } catch {
            throw ToolOutputError(tool: "findmnt --json", text: "not its JSON (\(ToolOutputError.firstLine(output)))")
        }
    }
}
