import StorageModel

/// What every rule reads: the spec, the facts, and how to word a fix (the spec file's path, so
/// fixes are commands that can be pasted as they are).
public struct CheckContext: Sendable {
    public let spec: ClusterSpec
    public let facts: ClusterFacts
    public let specFile: String
    /// The hypervisors facts were asked from (`--host`, else all).
    public let hypervisors: [Host]

    public init(spec: ClusterSpec, facts: ClusterFacts, specFile: String, hypervisors: [Host]? = nil) {
        self.spec = spec
        self.facts = facts
        self.specFile = specFile
        self.hypervisors = hypervisors ?? spec.hypervisors
    }

    /// Hypervisors that answered, with their facts.
    var answered: [(host: Host, facts: HostFacts)] {
        hypervisors.compactMap { host in facts.facts(host.name).map { (host, $0) } }
    }

    /// Hypervisors that answered and share storage (an initiator of a target, a client of an
    /// export, a node of a DRBD resource): the ones guests move between. The others only get an
    /// access warning.
    var sharing: [(host: Host, facts: HostFacts)] {
        answered.filter { entry in
            !spec.targets(reachableBy: entry.host).isEmpty || spec.nfs?.server == entry.host.name || !exports(of: entry.host).isEmpty
                || !spec.drbdResources(of: entry.host.name).isEmpty
        }
    }

    func command(_ words: String) -> String { "storagekit \(words) --spec \(specFile)" }

    /// For a port that times out: storagekit's chain opens it, but a rule someone put before the
    /// jump to it (or a network firewall) still wins.
    func firewallFix(_ host: String) -> String {
        "\(command("firewall apply --host \(host)")); if it still drops, look for a DROP before the STORAGEKIT jump (iptables -S INPUT on \(host)) or a firewall between the hosts"
    }

    /// Spec exports `host` should be able to mount, with their index.
    func exports(of host: Host) -> [(index: Int, export: NFSExport)] {
        (spec.nfs?.exports ?? []).enumerated().filter { $0.element.admits(host) }.map { ($0.offset, $0.element) }
    }
}

extension Array where Element == Finding {
    /// Findings that say the same thing of several hosts, merged into one line naming them all.
    func merged() -> [Finding] {
        var result: [Finding] = []
        for finding in self {
            if let index = result.firstIndex(where: {
                $0.check == finding.check && $0.status == finding.status && $0.message == finding.message && $0.fix == finding.fix
            }) {
                for host in finding.hosts where !result[index].hosts.contains(host) { result[index].hosts.append(host) }
            } else {
                result.append(finding)
            }
        }
        return result
    }
}
