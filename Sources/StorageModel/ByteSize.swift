import Foundation

/// Sizes as admins write them: `6G`, `512M`, `1T`, `10GiB`, `4096` (bytes). Powers of 1024,
/// like truncate(1) and tgtd.
public enum ByteSize {
    public static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = UInt64(digits), number > 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).lowercased()
        let shift: UInt64
        switch unit {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: return nil
        }
        let (result, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : result
    }

    /// A size to write in a spec that is at least `bytes` (so nothing shrinks): exact in the
    /// largest unit that divides it (`300M`, `1G`), else rounded up in M or K (`1536M`, `5K`).
    public static func describe(_ bytes: UInt64) -> String {
        for (unit, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] as [(String, UInt64)] where bytes >= 1 << shift {
            let whole = (bytes + (1 << shift) - 1) >> shift
            if whole << shift == bytes || shift <= 20 { return "\(whole)\(unit)" }
        }
        return "\(bytes)"
    }
}
