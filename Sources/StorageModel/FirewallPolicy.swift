/// The ports a host must accept from the storage network (a DRBD port: from its peer alone), by
/// the roles it plays. Renderers turn it into iptables rules; checks probe the same list.
public struct PortOpening: Sendable, Equatable, Hashable {
    public enum Proto: String, Sendable, Codable { case tcp, udp }
    public var proto: Proto
    public var port: Int
    /// Inclusive end for a range (`49152:49215`).
    public var endPort: Int?
    public var service: String
    /// The one address allowed in (a DRBD peer); nil: every storage network.
    public var source: String?

    public init(_ proto: Proto, _ port: Int, through endPort: Int? = nil, service: String, from source: String? = nil) {
        self.proto = proto
        self.port = port
        self.endPort = endPort
        self.service = service
        self.source = source
    }

    /// `2049` or `49152:49215`, as iptables writes it.
    public var portText: String { endPort.map { "\(port):\($0)" } ?? "\(port)" }
    /// `2049` or `49152-49215`, as nftables and firewalld write it.
    public var rangeText: String { endPort.map { "\(port)-\($0)" } ?? "\(port)" }
}

public enum FirewallPolicy {
    public static let libvirtPorts = (tcp: 16509, tls: 16514, migrationFirst: 49152, migrationLast: 49215)
    public static let xenRelocationPort = 8002
    /// DRBD openings are named `drbd-<resource>`.
    public static let drbdServicePrefix = "drbd-"

    public static func openings(for host: Host, in spec: ClusterSpec) -> [PortOpening] {
        var result: [PortOpening] = []
        if let nfs = spec.nfs, nfs.server == host.name {
            let ports = nfs.ports
            for proto in [PortOpening.Proto.tcp, .udp] {
                result.append(.init(proto, 111, service: "rpcbind"))
                result.append(.init(proto, ports.nfs, service: "nfs"))
                result.append(.init(proto, ports.mountd, service: "mountd"))
                result.append(.init(proto, ports.statd, service: "statd"))
                result.append(.init(proto, ports.rquotad, service: "rquotad"))
            }
            result.append(.init(.tcp, ports.lockd, service: "lockd"))
            result.append(.init(.udp, ports.lockdUdp, service: "lockd"))
        }
        if let iscsi = spec.iscsi {
            let ports = Set(iscsi.targets.filter { $0.server == host.name }.flatMap { spec.portals(of: $0).map(\.port) })
            for port in ports.sorted() { result.append(.init(.tcp, port, service: "iscsi")) }
        }
        if host.has(.hypervisor) {
            switch spec.migration.hypervisor {
            case .kvm:
                result.append(.init(.tcp, libvirtPorts.tcp, service: "libvirtd"))
                result.append(.init(.tcp, libvirtPorts.tls, service: "libvirtd-tls"))
                result.append(.init(.tcp, libvirtPorts.migrationFirst, through: libvirtPorts.migrationLast, service: "qemu-migration"))
            case .xen:
                // xl migrates over ssh, which the INPUT policy governs, not storagekit.
                if spec.migration.usesXendRelocation { result.append(.init(.tcp, spec.migration.relocationPort, service: "xen-relocation")) }
            }
        }
        // Replication traffic comes from the peer alone: only its address is let in.
        for resource in spec.drbdResources(of: host.name) {
            guard let peer = spec.drbdPeer(of: host.name, in: resource), let address = spec.drbdAddress(of: peer) else { continue }
            result.append(.init(.tcp, resource.port, service: drbdServicePrefix + resource.name, from: address))
        }
        var seen = Set<PortOpening>()
        return result.filter { seen.insert($0).inserted }
    }
}
