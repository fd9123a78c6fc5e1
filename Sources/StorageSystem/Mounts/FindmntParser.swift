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

    public static func parse(_ output: String) -> [Mounted] {
        guard !output.isEmpty, let document = try? JSONDecoder().decode(Document.self, from: Data(output.utf8)) else { return [] }
        return document.filesystems
    }
}
