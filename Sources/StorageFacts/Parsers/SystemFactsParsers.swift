import Foundation
import StorageModel

/// Pure readers of the small files and tool outputs behind `SystemFacts`.
public enum SystemFactsParsers {
    /// `vendor_id` and `flags` of the first processor in /proc/cpuinfo.
    public static func cpu(_ cpuinfo: String) -> (vendor: String?, flags: [String]) {
        var vendor: String?
        var flags: [String]?
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "vendor_id", vendor == nil { vendor = parts[1] }
            if parts[0] == "flags", flags == nil { flags = parts[1].split(separator: " ").map(String.init) }
            if vendor != nil && flags != nil { break }
        }
        return (vendor, (flags ?? []).sorted())
    }

    /// ID and VERSION_ID of /etc/os-release (values may be quoted).
    public static func osRelease(_ text: String) -> (id: String?, version: String?) {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return (values["ID"], values["VERSION_ID"])
    }

    /// Names in `ip -o link show type bridge` (`5: br0: <BROADCAST,…> mtu 1500 …`).
    public static func bridges(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2, Int(fields[0]) != nil else { return nil }
            return fields[1].split(separator: "@").first.map(String.init)
        }.sorted()
    }

    /// `getsebool virt_use_nfs` → `virt_use_nfs --> on`.
    public static func sebool(_ output: String) -> Bool? {
        guard let value = output.split(separator: ">").last?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        return value == "on" ? true : value == "off" ? false : nil
    }

    /// `libvirtd --version` (`libvirtd (libvirt) 9.0.0`) or `virtqemud --version`: the release.
    /// nil when the first line does not end in one.
    public static func libvirtVersion(_ output: String) -> SoftwareVersion? {
        guard let line = output.split(separator: "\n").first, line.contains("libvirt"), let last = line.split(separator: " ").last else { return nil }
        return SoftwareVersion(String(last))
    }

    /// `qemu-system-x86_64 --version`: `QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7)`.
    public static func qemuVersion(_ output: String) -> SoftwareVersion? {
        guard let line = output.split(separator: "\n").first, let range = line.range(of: "QEMU emulator version ") else { return nil }
        return line[range.upperBound...].split(separator: " ").first.flatMap { SoftwareVersion(String($0)) }
    }

    /// `qemu-system-x86_64 -machine help`: the first word of each line after "Supported
    /// machines are:", and each alias's target. nil without that header.
    public static func machineTypes(_ output: String) -> [String]? {
        let lines = output.split(separator: "\n")
        guard let header = lines.firstIndex(where: { $0.hasPrefix("Supported machines are") }) else { return nil }
        return lines[(header + 1)...].compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// `getent ahostsv4 NAME`: `10.99.1.11      STREAM hv1` lines; each address once, in order.
    public static func resolvedAddresses(_ output: String) -> [String] {
        var seen: [String] = []
        for line in output.split(separator: "\n") {
            guard let first = line.split(separator: " ").first.map(String.init), IPv4Address(first) != nil, !seen.contains(first) else { continue }
            seen.append(first)
        }
        return seen
    }

    /// One line of `getent passwd NAME`: `libvirt-qemu:x:64055:108:…`.
    public static func passwd(_ line: String) -> UserFacts? {
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count >= 4, let uid = Int(fields[2]), let gid = Int(fields[3]) else { return nil }
        return UserFacts(name: String(fields[0]), uid: uid, gid: gid)
    }
}
