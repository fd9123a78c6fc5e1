import StorageModel

/// Live state of one tgtd target, as `tgtadm --op show --mode target` prints it.
public struct TgtLiveTarget: Sendable, Equatable {
    public struct Session: Sendable, Equatable {
        public var nexus: Int
        public var initiator: String
        public var addresses: [String]
    }

    public struct LUN: Sendable, Equatable {
        public var lun: Int
        public var type: String
        public var scsiID: String
        public var serial: String
        /// As tgtadm prints it: megabytes, rounded.
        public var sizeMB: Int
        public var blockSize: Int
        public var readonly: Bool
        public var backingStorePath: String?
    }

    public var tid: Int
    public var iqn: String
    public var state: String
    public var sessions: [Session]
    /// Without LUN 0, tgtd's controller.
    public var luns: [LUN]
    public var accounts: [String]
    /// Initiator addresses (or `ALL`) and names, as listed.
    public var acl: [String]
}

/// Parses `tgtadm --lld iscsi --op show --mode target` (tgt 1.0.x layout: "Target N: IQN",
/// then indented sections). Fixtures in Tests/Fixtures/tgtadm were captured from tgtd 1.0.85.
public enum TgtadmShowParser {
    private enum Section { case none, system, nexus, lun, account, acl }

    public static func parse(_ output: String) throws(ToolOutputError) -> [TgtLiveTarget] {
        var targets: [TgtLiveTarget] = []
        var section = Section.none
        var lun: TgtLiveTarget.LUN?

        func flushLUN() {
            if let finished = lun, finished.lun != 0, !targets.isEmpty { targets[targets.count - 1].luns.append(finished) }
            lun = nil
        }

        for (index, raw) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t")
            guard !line.isEmpty else { continue }
            if raw.hasPrefix("Target ") {
                flushLUN()
                let parts = line.dropFirst("Target ".count).split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let tid = Int(parts[0]) else { throw ToolOutputError(tool: "tgtadm --op show", line: index + 1, text: String(raw)) }
                targets.append(TgtLiveTarget(tid: tid, iqn: parts[1].trimmingCharacters(in: " "), state: "", sessions: [], luns: [], accounts: [], acl: []))
                section = .none
                continue
            }
            guard !targets.isEmpty else { throw ToolOutputError(tool: "tgtadm --op show", line: index + 1, text: String(raw)) }
            switch line {
            case "System information:": section = .system; continue
            case "I_T nexus information:": section = .nexus; continue
            case "LUN information:": section = .lun; continue
            case "Account information:": flushLUN(); section = .account; continue
            case "ACL information:": flushLUN(); section = .acl; continue
            default: break
            }
            let (key, value) = keyValue(line)
            let current = targets.count - 1
            switch section {
            case .system:
                if key == "State" { targets[current].state = value }
            case .nexus:
                if key == "I_T nexus", let nexus = Int(value) {
                    targets[current].sessions.append(.init(nexus: nexus, initiator: "", addresses: []))
                } else if key == "Initiator", !targets[current].sessions.isEmpty {
                    // "iqn… alias: none"
                    targets[current].sessions[targets[current].sessions.count - 1].initiator =
                        String(value.split(separator: " ").first ?? "")
                } else if key == "IP Address", !targets[current].sessions.isEmpty {
                    targets[current].sessions[targets[current].sessions.count - 1].addresses.append(value)
                }
            case .lun:
                if key == "LUN", let number = Int(value) {
                    flushLUN()
                    lun = .init(lun: number, type: "", scsiID: "", serial: "", sizeMB: 0, blockSize: 0, readonly: false, backingStorePath: nil)
                    continue
                }
                switch key {
                case "Type": lun?.type = value
                case "SCSI ID": lun?.scsiID = value
                case "SCSI SN": lun?.serial = value
                case "Size":
                    // "67 MB, Block size: 512"
                    let parts = value.split(separator: ",")
                    lun?.sizeMB = Int(parts.first?.split(separator: " ").first ?? "") ?? 0
                    lun?.blockSize = Int(parts.last.map { keyValue($0.trimmingCharacters(in: " ")).1 } ?? "") ?? 0
                case "Readonly": lun?.readonly = value == "Yes"
                case "Backing store path": lun?.backingStorePath = value == "None" ? nil : value
                default: break
                }
            case .account:
                targets[current].accounts.append(line)
            case .acl:
                targets[current].acl.append(line)
            case .none:
                throw ToolOutputError(tool: "tgtadm --op show", line: index + 1, text: String(raw))
            }
        }
        flushLUN()
        return targets
    }

    private static func keyValue<S: StringProtocol>(_ line: S) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (String(line), "") }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: " "))
    }
}

/// `tgtadm --mode portal --op show` ("Portal: 0.0.0.0:3260,1" per line) and `--mode account`
/// ("Account list:" then one indented user per line).
public enum TgtadmListParser {
    public static func portals(_ output: String) throws(ToolOutputError) -> [Portal] {
        var portals: [Portal] = []
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: " \t").isEmpty {
            let value = line.hasPrefix("Portal: ") ? line.dropFirst("Portal: ".count).split(separator: ",").first ?? "" : ""
            guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]) else {
                throw ToolOutputError(tool: "tgtadm --mode portal --op show", line: index + 1, text: String(line), reason: "not `Portal: ADDRESS:PORT,TPGT`")
            }
            portals.append(Portal(address: String(value[..<colon]), port: port))
        }
        return portals
    }

    public static func accounts(_ output: String) throws(ToolOutputError) -> [String] {
        let lines = output.split(separator: "\n")
        guard let header = lines.first else { return [] }
        guard header.hasPrefix("Account list:") else {
            throw ToolOutputError(tool: "tgtadm --mode account --op show", line: 1, text: String(header), reason: "not `Account list:`")
        }
        return lines.dropFirst().map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }
}
