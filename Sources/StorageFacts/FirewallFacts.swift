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

    /// From what a host shows: the lines of `nft list tables`, whether iptables has
    /// storagekit's chain, and whether its firewalld policy file is there.
    public static func observed(tables: String, chain: Bool, policyFile: Bool) -> FirewallFacts {
        let listed = Set(tables.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        var rulesIn: [FirewallBackend] = []
        if chain { rulesIn.append(.iptables) }
        if listed.contains("table inet \(FirewallBackend.nftablesTable)") { rulesIn.append(.nftables) }
        if policyFile { rulesIn.append(.firewalld) }
        return FirewallFacts(firewalldRunning: listed.contains("table inet firewalld"), rulesIn: rulesIn)
    }
}
