/// An apply's MANIFEST, one entry per line: `replaced PATH` (the old file is in the backup),
/// `created PATH` (there was none), and `live-firewall FILE` (the live rules as they were,
/// a `FirewallSnapshot` beside the MANIFEST).
public enum BackupEntry: Equatable, Sendable {
    case replaced(String)
    case created(String)
    case liveFirewall(String)

    static let liveFirewallKind = "live-firewall"

    public var line: String {
        switch self {
        case .replaced(let path): "replaced \(path)"
        case .created(let path): "created \(path)"
        case .liveFirewall(let file): "\(Self.liveFirewallKind) \(file)"
        }
    }

    /// Every entry, or which line cannot be read: a MANIFEST read in part would restore in part.
    public static func parse(_ text: String) throws(SystemError) -> [BackupEntry] {
        try text.split(separator: "\n").enumerated().map { (index, line) throws(SystemError) in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw .backupManifest(line: index + 1, text: String(line)) }
            switch parts[0] {
            case "replaced": return .replaced(parts[1])
            case "created": return .created(parts[1])
            case liveFirewallKind: return .liveFirewall(parts[1])
            default: throw .backupManifest(line: index + 1, text: String(line))
            }
        }
    }
}

extension SystemError {
    /// Line `line` of a backup's MANIFEST cannot be read: nothing is restored.
    public static func backupManifest(line: Int, text: String) -> SystemError {
        SystemError(.backupManifest, "line \(line) is not `replaced PATH`, `created PATH` or `\(BackupEntry.liveFirewallKind) FILE`: \(text) (nothing was restored; restore by hand from the backup directory)", reason: text)
    }
}
