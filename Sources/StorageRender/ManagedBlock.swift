/// Puts storagekit's block into a file it shares with the admin (e.g. /etc/fstab): replaces the
/// lines between the markers, or appends the block, and leaves every other line as it was.
public enum ManagedBlock {
    public static func merge(existing: String?, block: String, begin: String, end: String) -> String {
        guard let existing, !existing.isEmpty else { return block }
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let blockLines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(block.hasSuffix("\n") ? 1 : 0)
        if let start = lines.firstIndex(of: begin), let stop = lines[start...].firstIndex(of: end) {
            lines.replaceSubrange(start...stop, with: blockLines)
        } else {
            lines.append(contentsOf: blockLines)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
