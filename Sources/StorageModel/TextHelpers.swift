import Crypto

/// Lower-case hex SHA-256 of a text's UTF-8 bytes: LUN identities and file digests.
public func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
}

extension String {
    /// Whether this absolute path is `directory` or inside it (`/`-separated, no `..`).
    public func isSameOrUnder(_ directory: String) -> Bool {
        directory == "/" || self == directory || hasPrefix(directory + "/")
    }

    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension StringProtocol {
    /// Without the leading and trailing characters that are in `set` (`" \t"`).
    public func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
