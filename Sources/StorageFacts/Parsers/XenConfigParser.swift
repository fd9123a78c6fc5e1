import Foundation

/// The guest name and disks of an xl domain config (`/etc/xen/<guest>.cfg`). Both disk syntaxes
/// of xl-disk-configuration(5): positional (`'file:/img,xvda,w'`, `'/img,raw,xvda,rw'`) and
/// keyed (`'format=raw, vdev=xvda, access=rw, target=/dev/vg/lv'`, target last).
public enum XenConfigParser {
    static let prefixes: Set<String> = ["file", "phy", "tap", "tap2", "aio", "qcow", "qcow2", "vhd", "tapdisk", "raw"]

    public static func parse(_ text: String) -> (name: String?, disks: [DiskFacts]) {
        var name: String?
        var diskList = ""
        var inDisks = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inDisks {
                diskList += trimmed
                if trimmed.contains("]") { inDisks = false }
                continue
            }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "name" { name = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
            if parts[0] == "disk" {
                diskList = parts[1]
                inDisks = !parts[1].contains("]")
            }
        }
        return (name, quoted(diskList).compactMap(disk))
    }

    /// The '…' or "…" strings of a Python-like list.
    static func quoted(_ list: String) -> [String] {
        var result: [String] = []
        var current: String?
        var quote: Character?
        for character in list {
            if let open = quote {
                if character == open {
                    result.append(current ?? "")
                    current = nil
                    quote = nil
                } else {
                    current = (current ?? "") + String(character)
                }
            } else if character == "'" || character == "\"" {
                quote = character
                current = ""
            }
        }
        return result
    }

    static func disk(_ spec: String) -> DiskFacts? {
        if let range = spec.range(of: "target=") {
            let target = String(spec[range.upperBound...]).trimmingCharacters(in: .whitespaces)
            let vdev = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("vdev=") }.map { String($0.dropFirst(5)) }
            return target.isEmpty ? nil : DiskFacts(source: target, target: vdev)
        }
        let fields = spec.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard var target = fields.first, !target.isEmpty else { return nil }
        while let colon = target.firstIndex(of: ":"), prefixes.contains(String(target[..<colon])) {
            target = String(target[target.index(after: colon)...])
        }
        let vdev = fields.count >= 4 ? fields[2] : fields.count >= 2 ? fields[1] : nil
        return DiskFacts(source: target, target: vdev?.split(separator: ":").first.map(String.init))
    }
}
