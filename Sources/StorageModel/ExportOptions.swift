/// What exportfs (nfs-utils 2.6, support/nfs/exports.c) accepts in an export's option list.
public enum ExportOptions {
    /// Flags without a value.
    public static let flags: Set<String> = [
        "rw", "ro", "sync", "async", "wdelay", "no_wdelay", "hide", "nohide", "crossmnt", "nocrossmnt",
        "secure", "insecure", "root_squash", "no_root_squash", "all_squash", "no_all_squash",
        "subtree_check", "no_subtree_check", "secure_locks", "insecure_locks", "auth_nlm", "no_auth_nlm",
        "acl", "no_acl", "mountpoint", "mp", "pnfs", "no_pnfs", "security_label", "no_security_label",
        "nordirplus", "rdirplus", "no_rdirplus",
    ]
    /// Options written `key=value`.
    public static let valued: Set<String> = [
        "fsid", "anonuid", "anongid", "sec", "refer", "replicas", "mountpoint", "mp", "xprtsec",
    ]

    /// Pairs that cannot both be set.
    public static let contradictions: [(String, String)] = [
        ("rw", "ro"), ("sync", "async"), ("root_squash", "no_root_squash"), ("all_squash", "no_all_squash"),
        ("secure", "insecure"), ("subtree_check", "no_subtree_check"), ("wdelay", "no_wdelay"),
        ("hide", "nohide"), ("secure_locks", "insecure_locks"), ("auth_nlm", "no_auth_nlm"),
        ("acl", "no_acl"), ("pnfs", "no_pnfs"),
    ]

    public static func key(of option: String) -> String {
        String(option.split(separator: "=", maxSplits: 1).first ?? "")
    }

    public static func isKnown(_ option: String) -> Bool {
        if option.contains("=") {
            let parts = option.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && valued.contains(String(parts[0])) && !parts[1].isEmpty
        }
        return flags.contains(option)
    }

    public static var allNames: [String] { Array(flags.union(valued)).sorted() }
}
