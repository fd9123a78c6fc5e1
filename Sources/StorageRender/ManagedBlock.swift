/// Puts storagekit's block into a file it shares with the admin (e.g. /etc/fstab): replaces the
/// lines between the markers, or appends the block, and leaves every other line as it was —
/// except, outside the block, active lines setting one of `supersedes` (an SXP key such as
/// `xend-relocation-port`, which xend reads first-come), which get commented out with a note so
/// the block's value is the one that counts. A second merge changes nothing.
public enum ManagedBlock {
    public static let supersededPrefix = "# storagekit: superseded by its managed block: "

    public static func merge(existing: String?, block: String, begin: String, end: String, supersedes: [String] = []) -> String {
        guard let existing, !existing.isEmpty else { return block }
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let blockRange = lines.firstIndex(of: begin).flatMap { start in lines[start...].firstIndex(of: end).map { start...$0 } }
        var index = lines.startIndex
        while index < lines.endIndex {
            guard !(blockRange?.contains(index) ?? false), setsAny(lines[index], of: supersedes) else {
                index += 1
                continue
            }
            // A setting may span lines: comment out every line until its parentheses close,
            // or xend would read the rest as a broken setting.
            var depth = 0
            repeat {
                depth += openParentheses(lines[index])
                lines[index] = supersededPrefix + lines[index]
                index += 1
            } while depth > 0 && index < lines.endIndex && !(blockRange?.contains(index) ?? false)
        }
        let blockLines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(block.hasSuffix("\n") ? 1 : 0)
        if let start = lines.firstIndex(of: begin), let stop = lines[start...].firstIndex(of: end) {
            lines.replaceSubrange(start...stop, with: blockLines)
        } else {
            lines.append(contentsOf: blockLines)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `existing` without the block (markers included); every other line as it was.
    public static func remove(from existing: String, begin: String, end: String) -> String {
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let start = lines.firstIndex(of: begin), let stop = lines[start...].firstIndex(of: end) else { return existing }
        lines.removeSubrange(start...stop)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// Opened minus closed parentheses on a line, outside quoted strings (SXP quotes with '
    /// and ", backslash escapes) and before a comment.
    static func openParentheses(_ line: String) -> Int {
        var depth = 0
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped { escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"": quote = character
            case "#": return depth
            case "(": depth += 1
            case ")": depth -= 1
            default: break
            }
        }
        return depth
    }

    /// An active (uncommented) SXP line `(key value…)` for one of `keys`.
    static func setsAny(_ line: String, of keys: [String]) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix("(") else { return false }
        let key = trimmed.dropFirst().prefix { $0 != " " && $0 != "\t" && $0 != ")" }
        return keys.contains(String(key))
    }
}
