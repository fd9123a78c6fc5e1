import Foundation
import StorageModel

/// Lab addresses exist only inside the lab. This machine's own network namespace has a default
/// route, so a packet sent from it to a lab address leaves the machine for wherever that
/// address really is. Before anything reaches a host over ssh (or acts as it here), this guard
/// refuses when the host's address is on the network of a lab that is up on this machine and
/// the process is not inside a lab namespace. The lab transport is the way in.
public enum LabLeakGuard {
    /// A lab up on this machine, as its state file records it.
    public struct UpLab: Sendable, Equatable {
        public var cluster: String
        public var networks: [IPv4Network]

        public init(cluster: String, networks: [IPv4Network]) {
            self.cluster = cluster
            self.networks = networks
        }
    }

    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var address: String
        public var transport: TransportKind
        public var cluster: String
        public var network: String
        /// The spec file the command was given, when known.
        public var specFile: String?

        public var description: String {
            let how = transport == .local ? "runs its commands on this machine" : "reaches it over \(transport.rawValue)"
            let next = specFile.map { "storagekit lab up --spec \($0) --write-spec \(LabLeakGuard.suggestedLabSpec(for: $0)) (nothing is made again), then give --spec \(LabLeakGuard.suggestedLabSpec(for: $0)) to this command" }
                ?? "the spec written by `storagekit lab up --spec … --write-spec FILE` (every host `transport: lab`)"
            return "\(host) (\(address)) is on \(network), a network of lab \(cluster), which is up on this machine, and this spec \(how). "
                + "From this machine's own network namespace (it has a default route) the packets would leave the machine, so nothing was sent. "
                + "Use the lab's spec: \(next)"
        }
    }

    /// Where `lab up --write-spec` is suggested to write the lab's copy of `file`.
    public static func suggestedLabSpec(for file: String) -> String {
        let url = URL(fileURLWithPath: file)
        let base = url.deletingPathExtension().lastPathComponent
        return "\(base).lab.yaml"
    }

    /// The first host the spec would reach outside the lab transport whose address is on a
    /// network of `labs`; nil when there is none.
    public static func refusal(spec: ClusterSpec, specFile: String? = nil, labs: [UpLab]) -> Refusal? {
        spec.hosts.lazy.compactMap { refusal(host: $0, specFile: specFile, labs: labs) }.first
    }

    public static func refusal(host: StorageModel.Host, specFile: String? = nil, labs: [UpLab]) -> Refusal? {
        guard host.transport != .lab else { return nil }
        for text in host.addresses {
            if let (lab, network) = IPv4Address(text).flatMap({ self.lab(containing: $0, in: labs) }) {
                return Refusal(host: host.name, address: text, transport: host.transport, cluster: lab.cluster, network: network.description, specFile: specFile)
            }
        }
        return nil
    }

    /// Why a probe of `target` (`ADDR` or `ADDR:PORT`) from this process would leave the
    /// machine; nil when it would not.
    public static func probeRefusal(target: String, labs: [UpLab]) -> String? {
        let text = String(target.split(separator: ":").first ?? "")
        guard let (lab, network) = IPv4Address(text).flatMap({ self.lab(containing: $0, in: labs) }) else { return nil }
        return "\(text) is on \(network), a network of lab \(lab.cluster), which is up on this machine. "
            + "From this machine's own network namespace (it has a default route) the probe would leave the machine, so nothing was sent. "
            + "Probe from a lab host: storagekit lab exec --spec FILE HOST -- storagekit probe …"
    }

    /// The lab, and its network, that `address` is on.
    static func lab(containing address: IPv4Address, in labs: [UpLab]) -> (UpLab, IPv4Network)? {
        for lab in labs {
            if let network = lab.networks.first(where: { $0.contains(address) }) { return (lab, network) }
        }
        return nil
    }

    /// Labs that are up on this machine and can be left by accident, read once per process:
    /// none when this process is inside a lab namespace (no default route; its packets stay on
    /// the lab's bridges). `check` makes a transport per host, and reading every lab's state
    /// file for each of 200 hosts would grow with the square of the cluster; a command's labs
    /// do not come and go while it runs.
    public static let labsAtRisk: [UpLab] = LabLayout.hasDefaultRoute ? upLabs() : []

    /// Every lab recorded under `runRoot` that has made a namespace and knows its networks.
    public static func upLabs(runRoot: String = LabLayout.defaultRunRoot) -> [UpLab] {
        LabState.all(runRoot: runRoot).compactMap { state in
            guard !state.namespaces.isEmpty else { return nil }
            let networks = (state.networks ?? []).compactMap(IPv4Network.init)
            return networks.isEmpty ? nil : UpLab(cluster: state.cluster, networks: networks)
        }
    }
}
