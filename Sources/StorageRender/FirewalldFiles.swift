import StorageModel

/// storagekit's firewalld policy for a host whose firewall backend is firewalld: one file of its
/// own under /etc/firewalld/policies (the admin's zones are never edited), so `firewall-cmd
/// --reload` keeps it by construction.
public enum FirewalldFiles {
    public static let policy = "storagekit"
    public static let policyPath = "/etc/firewalld/policies/\(policy).xml"
    /// Before the zones (negative priorities run first), so a zone's reject never sees them.
    static let priority = -100

    /// The policy file, nil when the host needs no rules.
    public static func policyXML(_ spec: ClusterSpec, host name: String) -> String? {
        guard spec.firewall.manage, let host = spec.host(named: name) else { return nil }
        let openings = FirewallPolicy.openings(for: host, in: spec)
        guard !openings.isEmpty else { return nil }
        return TemplateLibrary.render(.firewalldPolicy, FirewalldModel(RenderContext(spec: spec, host: host), openings))
    }

    /// How many rules a policy file holds, for the plan.
    public static func ruleCount(_ xml: String) -> Int {
        xml.split(separator: "\n").filter { $0.contains("<rule ") }.count
    }

    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard let content = policyXML(context.spec, host: context.host.name) else { return [] }
        return [RenderedFile(path: policyPath, mode: 0o644, content: content, purpose: "storagekit's firewalld policy (firewall-cmd --reload)")]
    }
}

struct FirewalldModel: Sendable {
    let header: FileHeader
    let cluster: String
    let priority = FirewalldFiles.priority
    let allows: [FirewallModel.Rule]

    init(_ context: RenderContext, _ openings: [PortOpening]) {
        header = FileHeader("firewall for storage and migration traffic (firewalld)", context)
        cluster = context.spec.cluster
        // Only accepts: the zones' own target closes the ports to other sources.
        allows = FirewallModel.rules(context.spec, openings, port: \.rangeText) { $0 }.allows
    }
}
