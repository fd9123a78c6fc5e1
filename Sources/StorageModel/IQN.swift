/// iSCSI qualified names (RFC 3720 §3.2.6.3.1): `iqn.YYYY-MM.reverse.domain[:identifier]`,
/// or the `eui.` + 16 hex digits form.
public enum IQN {
    public static func problem(_ name: String) -> String? {
        if name.count > 223 { return "is longer than 223 bytes (RFC 3720)" }
        if name.hasPrefix("eui.") {
            let hex = name.dropFirst(4)
            return hex.count == 16 && hex.allSatisfy(\.isHexDigit) ? nil : "an eui. name needs exactly 16 hex digits"
        }
        guard name.hasPrefix("iqn.") else { return "must start with \"iqn.\" (iqn.YYYY-MM.reverse.domain[:id])" }
        if name != name.lowercased() { return "must be lower case (initiators compare names case-sensitively after normalising)" }
        let body = name.dropFirst(4)
        let date = body.prefix(7)
        guard date.count == 7, date.dropLast(3).allSatisfy(\.isNumber), date.dropFirst(4).first == "-",
            date.suffix(2).allSatisfy(\.isNumber), let month = Int(date.suffix(2)), (1...12).contains(month)
        else { return "needs a date YYYY-MM after \"iqn.\", e.g. iqn.2026-11.org.example:disk1" }
        let rest = body.dropFirst(7)
        guard rest.first == ".", rest.count > 1 else {
            return "needs a reversed domain after the date, e.g. iqn.2026-11.org.example"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.:")
        if let bad = rest.first(where: { !allowed.contains($0) }) {
            return "contains \"\(bad)\"; only a-z, 0-9, '-', '.' and ':' are allowed"
        }
        let domain = rest.dropFirst().split(separator: ":", maxSplits: 1).first ?? ""
        if domain.isEmpty || domain.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "has an empty label in the reversed domain"
        }
        return nil
    }
}
