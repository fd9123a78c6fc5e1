/// Reads /proc/drbd. DRBD 8.x lists each device: ` 0: cs:Connected ro:Primary/Primary
/// ds:UpToDate/UpToDate C r-----` (8.2 wrote `st:` for `ro:`), a counters line, and while a
/// resync or verify runs `[===>....] sync'ed: 28.3% (7352/10236)M` (or `verified:`). DRBD 9
/// prints only its version there: `devices` is then empty and `drbdsetup status` has them.
public enum ProcDRBDParser {
    public struct Contents: Sendable, Equatable {
        /// `8.4.11`, `9.2.12`…, from the `version:` line.
        public var version: String?
        public var devices: [DRBDDeviceFacts]
    }

    /// cs: values of 8.x that mean "connected", with a replication state beyond plain Connected.
    static let replicationStates: Set<String> = [
        "StartingSyncS", "StartingSyncT", "WFBitMapS", "WFBitMapT", "WFSyncUUID", "SyncSource", "SyncTarget",
        "VerifyS", "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind",
    ]

    public static func parse(_ text: String) throws(ToolOutputError) -> Contents {
        var contents = Contents(version: nil, devices: [])
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = fields.first else { continue }
            if first == "version:", fields.count > 1 {
                contents.version = fields[1]
            } else if first.hasSuffix(":"), let minor = Int(first.dropLast()) {
                if fields.dropFirst().first == "cs:Unconfigured" { continue }  // A minor with nothing set up on it.
                contents.devices.append(try device(minor: minor, fields: Array(fields.dropFirst()), line: index + 1, text: String(raw)))
            } else if let progress = fields.firstIndex(where: { $0 == "sync'ed:" || $0 == "verified:" }), !contents.devices.isEmpty {
                // `sync'ed: 7.9%` or `sync'ed:  3.1%`: the number is the next field.
                guard let value = fields.dropFirst(progress + 1).first, value.hasSuffix("%"), let percent = Double(value.dropLast()) else {
                    throw ToolOutputError(tool: "/proc/drbd", line: index + 1, text: String(raw), reason: "no percentage after \(fields[progress])")
                }
                contents.devices[contents.devices.count - 1].syncPercent = percent
            }
        }
        return contents
    }

    private static func device(minor: Int, fields: [String], line: Int, text: String) throws(ToolOutputError) -> DRBDDeviceFacts {
        var values: [String: String] = [:]
        for field in fields {
            guard let colon = field.firstIndex(of: ":") else { continue }
            values[String(field[..<colon])] = String(field[field.index(after: colon)...])
        }
        let pair = { (key: String) -> (String, String)? in
            let parts = values[key]?.split(separator: "/").map(String.init) ?? []
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        guard let state = values["cs"], let roles = pair("ro") ?? pair("st"), let disks = pair("ds") else {
            throw ToolOutputError(tool: "/proc/drbd", line: line, text: text, reason: "a device line needs cs:, ro: and ds:")
        }
        let connected = state == "Connected" || replicationStates.contains(state)
        return DRBDDeviceFacts(
            minor: minor, connection: connected ? .connected : DRBDConnectionState(state),
            replication: connected ? (state == "Connected" ? .established : DRBDReplicationState(state)) : nil,
            role: DRBDRole(roles.0), peerRole: DRBDRole(roles.1), disk: DRBDDiskState(disks.0), peerDisk: DRBDDiskState(disks.1))
    }
}
