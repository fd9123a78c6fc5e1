import Foundation

/// `findmnt --json PATH`: `{"filesystems": [{"target", "source", "fstype", "options"}]}`;
/// findmnt prints nothing and exits 1 when PATH is not a mount point.
public enum FindmntParser {
    struct Mounted: Decodable {
        var target: String
        var source: String
        var fstype: String
        var options: String
    }

    struct Document: Decodable { let filesystems: [Mounted] }

    /// The file systems; none for empty output (not a mount point). Output that is not
    /// findmnt's JSON is an error.
    public static func parse(_ output: String) throws(ToolOutputError) -> [MountFacts] {
        guard !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        do {
            return try JSONDecoder().decode(Document.self, from: Data(output.utf8)).filesystems.map {
                MountFacts(target: $0.target, source: $0.source, fstype: $0.fstype, options: $0.options.split(separator: ",").map(String.init))
            }
        } catch {
            throw ToolOutputError(tool: "findmnt --json", text: "not its JSON (\(ToolOutputError.firstLine(output)))")
        }
    }
}
