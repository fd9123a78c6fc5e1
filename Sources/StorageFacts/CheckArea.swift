/// What `--only` selects. Same-path checks run with both iscsi and nfs.
public enum CheckArea: String, Sendable, CaseIterable, Codable {
    case iscsi, nfs, drbd, migration, path

    /// The areas whose rules run (and whose facts are gathered) for `--only areas`: all when
    /// empty; iSCSI and NFS bring the same-path checks with them.
    public static func gathered(for areas: Set<CheckArea>) -> Set<CheckArea> {
        areas.isEmpty ? Set(allCases) : areas.union(areas.contains(.iscsi) || areas.contains(.nfs) ? [.path] : [])
    }
}
