/// Parses `multipath -ll` (multipath-tools 0.9): a header per map — `ALIAS (WWID) dm-N
/// VENDOR,PRODUCT`, or `WWID dm-N VENDOR,PRODUCT` without an alias — then size, path groups and
/// one line per path (`… 2:0:0:1 sda 8:0 active ready running`).
public enum MultipathListParser {
    /// The maps; none for empty output. A path before any map, or output with text but not one
    /// line of a map, is an error (lines of a newer layout inside a map are passed over).
    public static func parse(_ output: String) throws(ToolOutputError) -> [MultipathMapFacts] {
        var maps: [MultipathMapFacts] = []
        var recognized = false
        for (index, raw) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if raw.hasPrefix("size=") || raw.contains("policy=") { recognized = true }
            let line = String(raw)
            let words = line.split(separator: " ").map(String.init)
            if let dmIndex = words.firstIndex(where: { $0.hasPrefix("dm-") }), !line.hasPrefix(" "), !line.hasPrefix("|"), !line.hasPrefix("`") {
                if dmIndex == 2, words[1].hasPrefix("("), words[1].hasSuffix(")") {
                    maps.append(MultipathMapFacts(alias: words[0], wwid: String(words[1].dropFirst().dropLast()), dm: words[2], vendorProduct: words.dropFirst(3).joined(separator: " "), paths: []))
                } else if dmIndex == 1 {
                    maps.append(MultipathMapFacts(alias: words[0], wwid: words[0], dm: words[1], vendorProduct: words.dropFirst(2).joined(separator: " "), paths: []))
                }
                recognized = true
                continue
            }
            // Path lines: tree drawing, then H:C:T:L, device, major:minor, three state words.
            let fields = words.filter { !["|", "`-", "|-", "`-+-", "|-+-", "-"].contains($0) }
            if let index = fields.firstIndex(where: { $0.split(separator: ":").count == 4 && $0.split(separator: ":").allSatisfy { Int($0) != nil } }),
                index + 5 < fields.count + 1, index + 2 < fields.count {
                guard !maps.isEmpty else { throw ToolOutputError(tool: "multipath -ll", line: index + 1, text: line) }
                let state = fields.dropFirst(index + 3).prefix(3).joined(separator: " ")
                maps[maps.count - 1].paths.append(.init(hctl: fields[index], device: fields[index + 1], state: state))
                recognized = true
            }
        }
        if !recognized && !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ToolOutputError(tool: "multipath -ll", text: "no map in it (\(ToolOutputError.firstLine(output)))")
        }
        return maps
    }
}
