/// `iscsiadm -m session` ("tcp: [1] 10.99.1.5:3260,1 iqn.… (non-flash)"); exit 21 means none.
public enum ISCSISessionListParser {
    public struct Session: Sendable, Equatable {
        public var id: Int
        public var portal: String
        public var target: String

        public init(id: Int, portal: String, target: String) {
            self.id = id
            self.portal = portal
            self.target = target
        }
    }

    /// Every line is a session; one that is not is an error, never left out (a session not
    /// seen would be logged in to twice, or not logged out of).
    public static func parse(_ output: String) throws(ToolOutputError) -> [Session] {
        var sessions: [Session] = []
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: " \t").isEmpty {
            let fields = line.split(separator: " ")
            guard fields.count >= 4, fields[1].hasPrefix("["), fields[1].hasSuffix("]"), let id = Int(fields[1].dropFirst().dropLast()),
                let portal = fields[2].split(separator: ",").first, portal.contains(":")
            else {
                throw ToolOutputError(tool: "iscsiadm -m session", line: index + 1, text: String(line), reason: "not `TRANSPORT: [SID] PORTAL,TPGT IQN`")
            }
            sessions.append(Session(id: id, portal: String(portal), target: String(fields[3])))
        }
        return sessions
    }
}

/// `iscsiadm -m node -T IQN -p PORTAL` prints "name = value" lines.
public enum ISCSINodeSettingsParser {
    public static func parse(_ output: String) -> [String: String] {
        var settings: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            settings[parts[0].trimmingCharacters(in: " ")] = parts[1].trimmingCharacters(in: " ")
        }
        return settings
    }
}
