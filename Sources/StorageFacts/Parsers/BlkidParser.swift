/// What `blkid -p -o export DEVICE` found on a disk, read before `drbdadm create-md` may write
/// metadata on it: nothing (exit 2), DRBD's own metadata (TYPE=drbd), or anything else.
public enum DiskSignature: Sendable, Equatable, CustomStringConvertible {
    case nothing
    case drbdMetadata
    /// A file system, LVM, RAID, a partition table…: `TYPE` or `PTTYPE` as blkid names it.
    case other(String)

    /// From blkid's exit status and `KEY=value` lines; nil when blkid itself failed.
    public static func parse(exitCode: Int32?, output: String) -> DiskSignature? {
        if exitCode == 2 { return .nothing }
        guard exitCode == 0 else { return nil }
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        if values["TYPE"] == "drbd" { return .drbdMetadata }
        if let type = values["TYPE"] ?? values["PTTYPE"] { return .other(type) }
        return .other("a signature blkid reports without a TYPE")
    }

    public var description: String {
        switch self {
        case .nothing: return "no file system or metadata"
        case .drbdMetadata: return "DRBD metadata"
        case .other(let type): return "\(type) data"
        }
    }
}
