/// `systemd-escape --path`: the unit name systemd requires for a mount point
/// (`/var/lib/vmstore` → `var-lib-vmstore`), so `Where=` and the unit file name agree.
public enum SystemdEscape {
    public static func path(_ path: String) -> String {
        let components = path.split(separator: "/").filter { $0 != "." }
        if components.isEmpty { return "-" }
        let joined = components.joined(separator: "/")
        var result = ""
        for (index, byte) in joined.utf8.enumerated() {
            let char = Character(Unicode.Scalar(byte))
            if byte == UInt8(ascii: "/") {
                result.append("-")
            } else if (byte == UInt8(ascii: ".") && index == 0) || !(char.isASCII && (char.isLetter || char.isNumber || char == ":" || char == "_" || char == ".")) {
                result += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            } else {
                result.append(char)
            }
        }
        return result
    }

    public static func mountUnitName(for path: String) -> String { self.path(path) + ".mount" }
}
