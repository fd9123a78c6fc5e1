/// One session as `iscsiadm -m session -P 3` describes it.
public struct ISCSISessionDetail: Sendable, Equatable, Codable {
    public struct Disk: Sendable, Equatable, Codable {
        public var lun: Int
        public var device: String
        public var state: String
    }

    public var target: String
    /// `ADDR:PORT` (the `,TPGT` dropped).
    public var portal: String
    public var sid: Int
    public var initiatorName: String
    public var localAddress: String
    public var connectionState: String
    public var sessionState: String
    /// Seconds I/O waits for a dead path before failing (node.session.timeo.replacement_timeout).
    public var recoveryTimeout: Int?
    public var disks: [Disk]
}

/// Parses `iscsiadm -m session -P 3` (open-iscsi 2.1): "Target:" blocks, a "Current Portal:"
/// per session, "key: value" lines, and "scsiN Channel 00 Id 0 Lun: L" followed by "Attached
/// scsi disk sdX State: running" for each disk LUN. Fixtures: Tests/Fixtures/kernel-lab.
public enum ISCSISessionDetailParser {
    /// The sessions; none for empty output. A portal before any target, or output with text
    /// but no target, is an error.
    public static func parse(_ output: String) throws(ToolOutputError) -> [ISCSISessionDetail] {
        var sessions: [ISCSISessionDetail] = []
        var target: String?
        var lun: Int?
        for (index, raw) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t")
            if line.hasPrefix("Target: ") {
                target = String(line.dropFirst("Target: ".count).split(separator: " ").first ?? "")
                continue
            }
            if line.hasPrefix("Current Portal: ") {
                guard let target else { throw ToolOutputError(tool: "iscsiadm -m session -P 3", line: index + 1, text: line) }
                let portal = line.dropFirst("Current Portal: ".count).split(separator: ",").first.map(String.init) ?? ""
                sessions.append(ISCSISessionDetail(
                    target: target, portal: portal, sid: 0, initiatorName: "", localAddress: "", connectionState: "", sessionState: "",
                    recoveryTimeout: nil, disks: []))
                lun = nil
                continue
            }
            guard !sessions.isEmpty else { continue }
            let last = sessions.count - 1
            if line.hasPrefix("scsi"), let range = line.range(of: "Lun: ") {
                lun = Int(line[range.upperBound...].trimmingCharacters(in: " "))
                continue
            }
            if line.hasPrefix("Attached scsi disk "), let lun {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let device = words.count > 3 ? String(words[3]) : ""
                let state = line.range(of: "State: ").map { String(line[$0.upperBound...]).trimmingCharacters(in: " \t") } ?? ""
                sessions[last].disks.append(.init(lun: lun, device: device, state: state))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            switch key {
            case "SID": sessions[last].sid = Int(value) ?? 0
            case "Iface Initiatorname": sessions[last].initiatorName = value
            case "Iface IPaddress": sessions[last].localAddress = value
            case "iSCSI Connection State": sessions[last].connectionState = value
            case "iSCSI Session State": sessions[last].sessionState = value
            case "Recovery Timeout": sessions[last].recoveryTimeout = Int(value)
            default: break
            }
        }
        if target == nil && !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ToolOutputError(tool: "iscsiadm -m session -P 3", text: "no target in it (\(ToolOutputError.firstLine(output)))")
        }
        return sessions
    }
}
