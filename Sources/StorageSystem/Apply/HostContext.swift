import StorageModel

/// How storagekit reaches one spec host: its transport, its files, its services.
public struct HostContext: Sendable {
    public var host: Host
    public var osFamily: OSFamily
    public var transport: any Transport
    public var services: any ServiceManager
    public var files: HostFiles { HostFiles(transport: transport) }

    public init(host: Host, osFamily: OSFamily, transport: any Transport, services: any ServiceManager) {
        self.host = host
        self.osFamily = osFamily
        self.transport = transport
        self.services = services
    }

    /// By `hosts[].transport`: lab hosts get lab daemons, the others systemd.
    public static func make(_ spec: ClusterSpec, host: Host, runner: any CommandRunner = SubprocessRunner()) throws(LabError) -> HostContext {
        var layout: LabLayout?
        if host.transport == .lab { layout = try LabLayout(spec: spec) }
        let transport = try Transports.make(for: host, layout: layout, runner: runner)
        let services: any ServiceManager = if let layout { try LabServiceManager(layout: layout, host: host.name) } else { SystemdServiceManager(transport: transport) }
        return HostContext(host: host, osFamily: spec.osFamily(of: host), transport: transport, services: services)
    }
}

/// The daemons storagekit starts, per OS family.
public enum Services {
    public static let rpcbind = ServiceDefinition(name: "rpcbind", systemdUnit: "rpcbind", foreground: ["rpcbind", "-f", "-w"])
    public static let ganesha = ServiceDefinition(
        name: "ganesha", systemdUnit: "nfs-ganesha",
        foreground: ["ganesha.nfsd", "-F", "-f", "/etc/ganesha/ganesha.conf", "-L", "/run/ganesha.log", "-p", "/run/ganesha.pid", "-N", "NIV_EVENT"])
    public static let nfsServer = ServiceDefinition(name: "nfs-server", systemdUnit: "nfs-server", foreground: ["rpc.nfsd", "--foreground"])
    public static let statd = ServiceDefinition(name: "rpc-statd", systemdUnit: "rpc-statd", foreground: ["rpc.statd", "--foreground"])

    public static func tgtd(_ os: OSFamily) -> ServiceDefinition {
        ServiceDefinition(name: "tgtd", systemdUnit: os == .rhel ? "tgtd" : "tgt", foreground: ["tgtd", "-f"])
    }
}
