/// Syntax of the names the spec carries into config files, host names and device names.
enum Names {
    static let pathCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+@/".unicodeScalars)

    static func isClusterName(_ name: String) -> Bool { isLabel(name, maxLength: 32) }

    /// An RFC 1123 host label in lower case.
    static func isHostName(_ name: String) -> Bool { isLabel(name, maxLength: 63) }

    private static func isLabel(_ name: String, maxLength: Int) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        return (1...maxLength).contains(name.count) && name.allSatisfy(allowed.contains)
            && name.first != "-" && name.last != "-"
    }

    /// A DNS name (for NFS clients given by name).
    static func isDNSName(_ name: String) -> Bool {
        let labels = name.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        return name.count <= 253 && !labels.isEmpty && labels.allSatisfy { isHostName(String($0)) }
    }

    /// Multipath aliases, serials, CHAP user names: a conservative token.
    static func isToken(_ text: String, maxLength: Int) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        return (1...maxLength).contains(text.count) && text.allSatisfy(allowed.contains) && text.first != "-"
    }

    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        let trimmed = String(mapped).split(separator: "-").joined(separator: "-")
        return trimmed.isEmpty ? "lab" : String(trimmed.prefix(32))
    }
}
