import Foundation

/// `firewall.backend: auto` on one host, from what the host runs: firewalld if it runs (its own
/// nftables table is there), else nftables if nftables.service is enabled or the distribution's
/// nftables.conf has rules of its own, else iptables. Pure: the side-effect layer gathers `Observed`.
public enum FirewallBackendDetection {
    public struct Observed: Sendable, Equatable {
        public var firewalldRunning: Bool
        /// `systemctl is-enabled nftables.service`'s first line; nil when systemctl could not
        /// answer (no systemd, as in a lab namespace).
        public var nftablesUnitState: String?
        /// The distribution's nftables.conf, nil when absent.
        public var nftablesConf: String?
        public var nftablesConfPath: String

        public init(firewalldRunning: Bool, nftablesUnitState: String?, nftablesConf: String?, nftablesConfPath: String) {
            self.firewalldRunning = firewalldRunning
            self.nftablesUnitState = nftablesUnitState
            self.nftablesConf = nftablesConf
            self.nftablesConfPath = nftablesConfPath
        }
    }

    public struct Choice: Sendable, Equatable {
        /// Never `.auto`.
        public var backend: FirewallBackend
        public var reason: String

        public init(backend: FirewallBackend, reason: String) {
            self.backend = backend
            self.reason = reason
        }
    }

    /// A backend the spec names: nothing on the host is looked at.
    public static func stated(_ wanted: FirewallBackend) -> Choice {
        Choice(backend: wanted, reason: "the spec says \(wanted.rawValue)")
    }

    public static func choose(_ wanted: FirewallBackend, _ observed: Observed) -> Choice {
        if wanted != .auto { return stated(wanted) }
        if observed.firewalldRunning { return Choice(backend: .firewalld, reason: "firewalld is running") }
        if observed.nftablesUnitState == "enabled" { return Choice(backend: .nftables, reason: "nftables.service is enabled") }
        let rules = ownRules(ofNFTablesConf: observed.nftablesConf ?? "")
        if !rules.isEmpty {
            return Choice(backend: .nftables, reason: "\(observed.nftablesConfPath) has rules of its own (\(rules.count), first: `\(rules[0])`)")
        }
        let unit = observed.nftablesUnitState.map { "nftables.service is \($0)" } ?? "systemctl cannot say whether nftables.service is enabled"
        return Choice(backend: .iptables, reason: "firewalld is not running, \(unit), and \(observed.nftablesConfPath) has no rules")
    }

    /// The rule lines of an nftables.conf: what is left after comments, blank lines, `flush
    /// ruleset`, `include`/`define`, table and chain headers, base-chain declarations and
    /// braces. Debian's shipped file (three empty base chains) has none.
    public static func ownRules(ofNFTablesConf text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty || line == "}" || line == "{" || line.hasPrefix("#!") { return nil }
            for prefix in ["flush ruleset", "include ", "define ", "table ", "chain ", "type ", "policy "] where line.hasPrefix(prefix) { return nil }
            return line
        }
    }
}
