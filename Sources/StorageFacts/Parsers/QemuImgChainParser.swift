import Foundation

/// `qemu-img info -U --backing-chain --output=json IMAGE`: a JSON array, the image first, each
/// entry naming the next in `full-backing-filename` (or `backing-filename`).
public enum QemuImgChainParser {
    struct Entry: Decodable {
        let filename: String
        let backing: String?
        let fullBacking: String?

        enum CodingKeys: String, CodingKey {
            case filename
            case backing = "backing-filename"
            case fullBacking = "full-backing-filename"
        }
    }

    /// The backing files, nearest first; empty for an image without one.
    public static func backingFiles(_ json: String, source: String = "qemu-img info --backing-chain") throws(ToolOutputError) -> [String] {
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: Data(json.utf8))
        } catch {
            throw ToolOutputError(tool: source, text: "not qemu-img's JSON chain (\(json.split(separator: "\n").first.map(String.init) ?? "nothing printed"))")
        }
        guard !entries.isEmpty else { throw ToolOutputError(tool: source, text: "an empty chain: not even the image itself") }
        return entries.compactMap { $0.fullBacking ?? $0.backing }
    }
}
