import StorageFacts
import StorageModel

/// What every rule reads: the spec, the facts, and how to word a fix (the spec file's path, so
/// fixes are commands that can be pasted as they are).
public struct CheckContext: Sendable {
    public let spec: ClusterSpec
    public let facts: ClusterFacts
    public let specFile: String
    /// The hypervisors facts were asked from (`--host`, else all).
    public let hypervisors: [Host]
    /// Whether facts were gathered between every ordered pair (`check --all-pairs`), not ring
    /// neighbours: which canary reads to expect.
    public let allPairs: Bool
    /// Hypervisors that answered, with their facts.
    let answered: [(host: Host, facts: HostFacts)]
    /// Hypervisors that answered and share storage (an initiator of a target, a client of an
    /// export, a node of a DRBD resource): the ones guests move between. The others only get an
    /// access warning.
    let sharing: [(host: Host, facts: HostFacts)]
    /// `spec.targets(reachableBy:)` of each hypervisor, worked out once: each costs a pass over
    /// the spec's hosts, and the rules ask for it per host, LUN and portal (200 hosts: ½ s).
    private let reachable: [String: [ISCSITarget]]

    public init(spec: ClusterSpec, facts: ClusterFacts, specFile: String, hypervisors: [Host]? = nil, allPairs: Bool = false) {
        self.spec = spec
        self.facts = facts
        self.specFile = specFile
        let hypervisors = hypervisors ?? spec.hypervisors
        self.hypervisors = hypervisors
        self.allPairs = allPairs
        let reachable = Dictionary(hypervisors.map { ($0.name, spec.targets(reachableBy: $0)) }, uniquingKeysWith: { first, _ in first })
        self.reachable = reachable
        let answered = hypervisors.compactMap { host in facts.facts(host.name).map { (host: host, facts: $0) } }
        self.answered = answered
        sharing = answered.filter { entry in
            !(reachable[entry.host.name] ?? []).isEmpty || spec.nfs?.server == entry.host.name
                || (spec.nfs?.exports ?? []).contains { $0.admits(entry.host) } || !spec.drbdResources(of: entry.host.name).isEmpty
        }
    }

    /// The targets whose ACL admits `host` (see `ClusterSpec.targets(reachableBy:)`).
    func targets(reachableBy host: Host) -> [ISCSITarget] {
        reachable[host.name] ?? spec.targets(reachableBy: host)
    }

    func command(_ words: String) -> String { Self.command(words, specFile: specFile) }

    func firewallFix(_ host: String) -> String { Self.firewallFix(host, specFile: specFile) }

    /// A storagekit command on the spec, as fixes print it (check's and rehearse's).
    static func command(_ words: String, specFile: String) -> String { "storagekit \(words) --spec \(specFile)" }

    /// For a port that times out: storagekit's chain opens it, but a rule someone put before the
    /// jump to it (or a network firewall) still wins.
    static func firewallFix(_ host: String, specFile: String) -> String {
        "\(command("firewall apply --host \(host)", specFile: specFile)); if it still drops, look for a DROP before the STORAGEKIT jump (iptables -S INPUT on \(host)) or a firewall between the hosts"
    }

    /// Spec exports `host` should be able to mount, with their index.
    func exports(of host: Host) -> [(index: Int, export: NFSExport)] {
        (spec.nfs?.exports ?? []).enumerated().filter { $0.element.admits(host) }.map { ($0.offset, $0.element) }
    }
}

extension Array where Element == Finding {
    /// Findings that say the same thing of several hosts, merged into one line naming them all
    /// (in first-seen order; one pass, so 200 hosts' findings merge in linear time).
    func merged() -> [Finding] {
        var result: [Finding] = []
        var index: [FindingText: Int] = [:]
        var named: [Int: Set<String>] = [:]
        for finding in self {
            let key = FindingText(check: finding.check, status: finding.status, message: finding.message, fix: finding.fix)
            if let at = index[key] {
                for host in finding.hosts where named[at, default: []].insert(host).inserted { result[at].hosts.append(host) }
            } else {
                index[key] = result.count
                named[result.count] = Set(finding.hosts)
                result.append(finding)
            }
        }
        return result
    }
}

/// What makes two findings say the same thing (all but their hosts).
struct FindingText: Hashable {
    var check: CheckID
    var status: Finding.Status
    var message: String
    var fix: String?
}
