import Foundation
import StorageModel

/// Where each spec host lives in the lab: its network namespace, NICs on bridges (one bridge per
/// storage network), and its own /etc, /var/lib, /srv and /run in a persistent mount namespace.
/// Computed from the spec alone, so `up`, `down` and `exec` agree without asking the system.
public struct LabLayout: Sendable, Equatable {
    public struct Bridge: Sendable, Equatable {
        public var name: String
        public var network: String
    }

    public struct NIC: Sendable, Equatable {
        /// The veth end left in the root namespace, enslaved to the bridge (≤ 15 characters).
        public var rootName: String
        /// Its peer inside the host's namespace (`eth0`, `eth1`, …).
        public var name: String
        public var bridge: String
        public var address: String
        public var prefix: Int
    }

    public struct LabHost: Sendable, Equatable {
        public var name: String
        public var namespace: String
        /// The bind-mounted file that keeps the host's mount namespace alive.
        public var mountNamespaceFile: String
        /// Upper and work directories of the host's overlays.
        public var dataDirectory: String
        public var nics: [NIC]
    }

    /// Directories every lab host gets its own copy of (overlays over the real ones).
    public static let privateDirectories = ["/etc", "/var/lib"]
    /// Directories every lab host gets empty and its own (a bind of a plain directory): data
    /// lives here, and nfs-ganesha needs file handles, which overlayfs does not give.
    public static let dataDirectories = ["/srv"]

    public var cluster: String
    /// State that must vanish with the machine: mount-namespace files, the record of what was made.
    public var runDirectory: String
    /// Overlay upper layers; outside every overlaid directory (overlayfs refuses nested layers).
    public var dataDirectory: String
    public var bridges: [Bridge]
    public var hosts: [LabHost]

    public var stateFile: String { "\(runDirectory)/state.json" }

    public init(spec: ClusterSpec, runRoot: String = "/run/storagekit/lab", dataRoot: String = "/var/tmp/storagekit-lab") throws(LabError) {
        cluster = spec.cluster
        runDirectory = "\(runRoot)/\(spec.cluster)"
        dataDirectory = "\(dataRoot)/\(spec.cluster)"
        let networks = spec.networks.compactMap(IPv4Network.init)
        bridges = networks.map { Bridge(name: "skb" + sha256Hex("\(spec.cluster)/\($0)").prefix(8), network: $0.description) }
        var hosts: [LabHost] = []
        for host in spec.hosts {
            var nics: [NIC] = []
            for (index, text) in host.addresses.enumerated() {
                guard let address = IPv4Address(text), let slot = networks.firstIndex(where: { $0.contains(address) }) else {
                    throw .addressOutsideNetworks(host: host.name, address: text, networks: spec.networks)
                }
                nics.append(NIC(
                    rootName: "skv" + sha256Hex("\(spec.cluster)/\(host.name)/\(index)").prefix(8), name: "eth\(index)",
                    bridge: bridges[slot].name, address: text, prefix: networks[slot].prefix))
            }
            hosts.append(LabHost(
                name: host.name, namespace: "sk-\(spec.cluster)-\(host.name)",
                mountNamespaceFile: "\(runDirectory)/\(host.name).mnt", dataDirectory: "\(dataDirectory)/\(host.name)", nics: nics))
        }
        self.hosts = hosts
    }

    public func host(_ name: String) throws(LabError) -> LabHost {
        guard let host = hosts.first(where: { $0.name == name }) else { throw .unknownHost(name, known: hosts.map(\.name)) }
        return host
    }

    /// Whether this network namespace has a default route (/proc/self/net/route follows the
    /// reader's namespace). The machine's own has one; a lab host's has none. Lab addresses must
    /// never be reached from a namespace with one: the packets would leave the machine.
    public static var hasDefaultRoute: Bool {
        guard let table = try? String(contentsOfFile: "/proc/self/net/route", encoding: .utf8) else { return true }
        return table.split(separator: "\n").dropFirst().contains { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count > 7 && fields[1] == "00000000" && fields[7] == "00000000"
        }
    }

    /// argv that runs `command` on `host`: inside its network and mount namespaces.
    public func execArguments(host: LabHost, _ command: [String]) -> [String] {
        ["nsenter", "--mount=\(host.mountNamespaceFile)", "--net=/run/netns/\(host.namespace)", "--"] + command
    }
}

public enum LabError: Error, Equatable, CustomStringConvertible {
    case notRoot
    case addressOutsideNetworks(host: String, address: String, networks: [String])
    case unknownHost(String, known: [String])
    case notCreatedByUs(String)
    case notUp(cluster: String)
    case step(String, reason: String)

    public var description: String {
        switch self {
        case .notRoot:
            return "the lab needs root (network and mount namespaces): run it with sudo"
        case .addressOutsideNetworks(let host, let address, let networks):
            return "\(host)'s address \(address) is in none of the spec's networks (\(networks.joined(separator: ", "))): the lab puts each NIC on its network's bridge; add the network to `network:`"
        case .unknownHost(let name, let known):
            return "no lab host named \"\(name)\" (hosts: \(known.joined(separator: ", ")))"
        case .notCreatedByUs(let what):
            return "\(what) already exists and was not created by this lab: storagekit will not touch it; remove it or rename the cluster"
        case .notUp(let cluster):
            return "no lab is up for cluster \(cluster): run `storagekit lab up --spec …` first"
        case .step(let what, let reason):
            return "\(what) failed: \(reason)"
        }
    }
}
