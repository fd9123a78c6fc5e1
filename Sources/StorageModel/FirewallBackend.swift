/// Which firewall holds storagekit's rules on a host.
public enum FirewallBackend: String, Sendable, Codable, CaseIterable {
    /// Decided on each host when planning (`FirewallBackendDetection`); `render` offline: iptables.
    case auto
    /// A `STORAGEKIT` chain loaded with `iptables-restore --noflush`, saved to the distribution's
    /// iptables file.
    case iptables
    /// A `table inet storagekit` loaded with `nft -f`, included from the distribution's
    /// nftables.conf.
    case nftables
    /// firewalld's own configuration.
    case firewalld

    /// The name of storagekit's nftables table (`table inet storagekit`), for the renderer and
    /// for what check looks for in `nft list tables`.
    public static let nftablesTable = "storagekit"
}

extension ClusterSpec {
    /// The backend the spec asks for on `host`: its own `firewall.backend`, else the cluster's.
    public func firewallBackend(of host: Host) -> FirewallBackend {
        host.firewallBackend ?? firewall.backend
    }
}
