import Mustache
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

    /// The files of the host's backend; `auto` offline is iptables, what a host with neither
    /// firewalld nor nftables of its own gets (`plan` decides on the host itself).
    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard context.spec.firewall.manage else { return [] }
        switch context.spec.firewallBackend(of: context.host) {
        case .nftables: return NFTablesFiles.render(context)
        case .firewalld: return FirewalldFiles.render(context)
        case .auto, .iptables: break
        }
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
        let comment: String
    }
    let header: FileHeader
    let chain = FirewallFiles.chain
    let allows: [Rule]
    let drops: [Rule]

    init(_ context: RenderContext, _ openings: [PortOpening]) {
        header = FileHeader("firewall for storage and migration traffic", context)
        // iptables -S prints one address as /32: written that way, a second apply sees no change.
        (allows, drops) = Self.rules(context.spec, openings, port: \.portText) { $0.contains("/") ? $0 : "\($0)/32" }
    }

    /// Every backend's rules from the openings: each open port accepted from each storage network
    /// and a restricted one from its one source (written by `single` as the backend prints it),
    /// then each port dropped from everywhere else.
    static func rules(_ spec: ClusterSpec, _ openings: [PortOpening], port: (PortOpening) -> String, single: (String) -> String) -> (allows: [Rule], drops: [Rule]) {
        func rule(_ opening: PortOpening, _ source: String, _ comment: String) -> Rule {
            Rule(source: source, proto: opening.proto.rawValue, port: port(opening), comment: comment)
        }
        let open = openings.filter { $0.source == nil }
        let restricted = openings.compactMap { opening in opening.source.map { (opening, single($0)) } }
        let allows = spec.networks.flatMap { network in open.map { rule($0, network, $0.service) } }
            + restricted.map { rule($0.0, $0.1, $0.0.service) }
        let drops = openings.map { rule($0, "", "\($0.service): not from \($0.source ?? "the storage network")") }
        return (allows, drops)
    }
}

// A rule per port per peer: by name, not through Mirror (see MultipathModel.LUN).
extension FirewallModel.Rule: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "source": source
        case "proto": proto
        case "port": port
        case "comment": comment
        default: nil
        }
    }
}
