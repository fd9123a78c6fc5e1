import StorageModel

/// The iptables-restore file of a host whose firewall storagekit manages.
public enum FirewallFiles {
    /// Input for `iptables-restore --noflush`: storagekit's chain alone (declaring it flushes
    /// it), so the rules of other tools are never touched. Nil when the host needs no rules.
    public static func chainRestoreInput(_ spec: ClusterSpec, host name: String) -> String? {
        guard spec.firewall.manage, let host = spec.host(named: name) else { return nil }
        let context = RenderContext(spec: spec, host: host, secrets: [:])
        let openings = FirewallPolicy.openings(for: host, in: spec)
        guard !openings.isEmpty else { return nil }
        return TemplateLibrary.render(.iptablesChain, FirewallModel(context, openings))
    }

    public static let chain = "STORAGEKIT"

    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard context.spec.firewall.manage else { return [] }
        let openings = FirewallPolicy.openings(for: context.host, in: context.spec)
        guard !openings.isEmpty else { return [] }
        let path = context.os == .rhel ? "/etc/sysconfig/iptables" : "/etc/iptables/rules.v4"
        return [RenderedFile(
            path: path, mode: 0o600,
            content: TemplateLibrary.render(.iptablesRules, FirewallModel(context, openings)),
            purpose: "firewall rules (iptables-restore)")]
    }
}

struct FirewallModel: Sendable {
    struct Rule: Sendable {
        let source: String
        let proto: String
        let port: String
        let service: String
    }
    let header: FileHeader
    let chain = FirewallFiles.chain
    let allows: [Rule]
    let drops: [Rule]

    init(_ context: RenderContext, _ openings: [PortOpening]) {
        header = FileHeader("firewall for storage and migration traffic", context)
        let networks = context.spec.networks
        allows = networks.flatMap { network in
            openings.map { Rule(source: network, proto: $0.proto.rawValue, port: $0.portText, service: $0.service) }
        }
        drops = openings.map { Rule(source: "", proto: $0.proto.rawValue, port: $0.portText, service: $0.service) }
    }
}
