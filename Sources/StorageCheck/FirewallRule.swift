import StorageFacts
import StorageModel

/// `host.firewall`: storagekit's rules are in the firewall the host runs. firewalld's zone drops
/// what it does not open, whatever another table accepts, so rules kept elsewhere on a host
/// where firewalld runs are a warning with the way to move them; the port probes stay the judge
/// of what gets through.
enum FirewallRule {
    /// Hypervisors from their facts, servers from what check saw over their transport.
    static func evaluate(_ context: CheckContext) -> [Finding] {
        let hypervisors = context.answered.compactMap { host, facts -> Finding? in
            guard case .known(let firewall) = facts.system.firewall else { return nil }
            return finding(host.name, firewall, wanted: context.spec.firewallBackend(of: host))
        }
        let servers = context.facts.serverFirewalls.keys.sorted().compactMap { name -> Finding? in
            guard case .known(let firewall)? = context.facts.serverFirewalls[name], let host = context.spec.host(named: name) else { return nil }
            return finding(name, firewall, wanted: context.spec.firewallBackend(of: host))
        }
        return hypervisors + servers
    }

    static func finding(_ host: String, _ firewall: FirewallFacts, wanted: FirewallBackend) -> Finding {
        let apply = "storagekit firewall apply --host \(host)"
        let holding = firewall.rulesIn.isEmpty ? "in no firewall" : "in " + firewall.rulesIn.map(\.rawValue).joined(separator: " and ")
        if firewall.firewalldRunning && wanted != .firewalld && firewall.rulesIn != [.firewalld] {
            return wanted == .auto
                ? Finding(.hostFirewall, hosts: [host], .warn, "firewalld runs, but storagekit's rules are \(holding): firewalld's zone can drop the ports they open",
                          fix: "\(apply) (with `backend: auto` it now picks firewalld), then `storagekit firewall confirm`")
                : Finding(.hostFirewall, hosts: [host], .warn, "firewalld runs, but the spec keeps storagekit's rules in \(wanted.rawValue) (they are \(holding)): firewalld's zone can drop the ports they open",
                          fix: "set `firewall: {backend: firewalld}` for \(host) (hosts[].firewall) or `auto`, then \(apply); or stop firewalld if it should not run")
        }
        if wanted == .firewalld && !firewall.firewalldRunning {
            return Finding(.hostFirewall, hosts: [host], .warn, "the spec keeps storagekit's rules in firewalld, but firewalld does not run",
                           fix: "systemctl enable --now firewalld, then \(apply); or set the backend to the firewall it runs")
        }
        if firewall.rulesIn.count > 1 {
            return Finding(.hostFirewall, hosts: [host], .warn, "storagekit's rules are \(holding) at once (a move between backends not finished)",
                           fix: "\(apply), then `storagekit firewall confirm`: keeping one backend's rules removes the others")
        }
        if firewall.rulesIn.isEmpty {
            return Finding(.hostFirewall, hosts: [host], .warn, "storagekit's rules are in no firewall: the spec manages it, and they were never applied or were removed", fix: apply)
        }
        return Finding(.hostFirewall, hosts: [host], .pass, "storagekit's rules are in \(firewall.rulesIn[0].rawValue)\(firewall.firewalldRunning ? ", the firewall it runs" : "")")
    }
}
