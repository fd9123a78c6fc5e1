import StorageModel

/// storagekit's nftables table for a host whose firewall backend is nftables: one file loaded
/// with `nft -f` as a single transaction, kept at one path and included from the
/// distribution's nftables.conf by a managed block.
public enum NFTablesFiles {
    public static let table = FirewallBackend.nftablesTable
    /// Where the table's file is kept, on every distribution.
    public static let rulesetPath = "/etc/storagekit/firewall.nft"
    public static let includeBegin = "# BEGIN storagekit: its nftables table (storagekit firewall apply)"
    public static let includeEnd = "# END storagekit"
    /// The one line the managed block holds.
    public static let includeLine = "include \"\(rulesetPath)\""
    /// The managed block, markers included (what `ManagedBlock.merge` puts in or replaces).
    public static let includeBlock = "\(includeBegin)\n\(includeLine)\n\(includeEnd)\n"

    /// The file nftables.service loads at boot: Debian's /etc/nftables.conf, RHEL's
    /// /etc/sysconfig/nftables.conf.
    public static func confPath(_ os: OSFamily) -> String {
        os == .rhel ? "/etc/sysconfig/nftables.conf" : "/etc/nftables.conf"
    }

    /// The table's file (for `nft -f`), nil when the host needs no rules.
    public static func ruleset(_ spec: ClusterSpec, host name: String) -> String? {
        guard spec.firewall.manage, let host = spec.host(named: name) else { return nil }
        let openings = FirewallPolicy.openings(for: host, in: spec)
        guard !openings.isEmpty else { return nil }
        return TemplateLibrary.render(.nftablesTable, NFTablesModel(RenderContext(spec: spec, host: host), openings))
    }

    /// The table as `nft list table inet storagekit` prints it once `ruleset` is loaded.
    public static func listing(of ruleset: String) -> String {
        let lines = ruleset.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "table inet \(table) {") else { return "" }
        return lines[start...].joined(separator: "\n")
    }

    /// The rule lines of a listing, for counting and comparing.
    public static func rules(of listing: String) -> [String] {
        listing.split(separator: "\n").map { String($0.drop { $0 == " " || $0 == "\t" }) }
            .filter { line in !line.isEmpty && line != "}" && !["table ", "chain ", "type "].contains { line.hasPrefix($0) } }
    }

    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard let content = ruleset(context.spec, host: context.host.name) else { return [] }
        return [
            RenderedFile(path: rulesetPath, mode: 0o600, content: content, purpose: "storagekit's nftables table (nft -f)"),
            RenderedFile(path: confPath(context.os), mode: 0o755, content: includeBlock,
                         kind: .managedBlock(begin: includeBegin, end: includeEnd), purpose: "loads storagekit's table at boot (nftables.service)"),
        ]
    }
}

struct NFTablesModel: Sendable {
    let header: FileHeader
    let table = NFTablesFiles.table
    let allows: [FirewallModel.Rule]
    let drops: [FirewallModel.Rule]

    init(_ context: RenderContext, _ openings: [PortOpening]) {
        header = FileHeader("firewall for storage and migration traffic (nftables)", context)
        // nft prints a /32 as the bare address: written that way, a second apply sees no change.
        (allows, drops) = FirewallModel.rules(context.spec, openings, port: \.rangeText) { $0.hasSuffix("/32") ? String($0.dropLast(3)) : $0 }
    }
}
