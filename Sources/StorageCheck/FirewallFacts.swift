import StorageModel

/// The firewall a host runs, and where storagekit's rules are on it.
public struct FirewallFacts: Sendable, Codable, Equatable {
    /// firewalld's own nftables table is there: firewalld runs (it removes the table when it
    /// stops, CleanupOnExit).
    public var firewalldRunning: Bool
    /// The backends holding storagekit's rules now: its iptables chain, its nftables table,
    /// its firewalld policy file.
    public var rulesIn: [FirewallBackend]

    public init(firewalldRunning: Bool, rulesIn: [FirewallBackend]) {
        self.firewalldRunning = firewalldRunning
        self.rulesIn = rulesIn
    }
}
