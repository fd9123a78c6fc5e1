/// Parses `iscsiadm -m session -P 3` (open-iscsi 2.1): "Target:" blocks, a "Current Portal:"
/// per session, "key: value" lines, and "scsiN Channel 00 Id 0 Lun: L" followed by "Attached
/// scsi disk sdX State: running" for each disk LUN. Fixtures: Tests/Fixtures/kernel-lab.
public enum ISCSISessionDetailParser {
    /// The sessions; none for empty output. A portal before any target, or output with text
    /// but no target, is an error.
    public static func parse(_ output: String) throws(ToolOutputError) -> [SessionFacts] {
        var sessions: [SessionFacts] = []
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
                sessions.append(SessionFacts(target: target, portal: portal, sessionState: .other("")))
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
            case "iSCSI Connection State": sessions[last].connectionState = ISCSIConnectionState(value)
            case "iSCSI Session State": sessions[last].sessionState = ISCSISessionState(value)
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
