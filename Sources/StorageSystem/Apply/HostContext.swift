import Foundation
import StorageModel

/// How storagekit reaches one spec host: its transport, its files, its services.
public struct HostContext: Sendable {
    public var host: StorageModel.Host
    public var osFamily: OSFamily
    public var transport: any Transport
    public var services: any ServiceManager
    public var files: HostFiles { HostFiles(transport: transport) }

    public init(host: StorageModel.Host, osFamily: OSFamily, transport: any Transport, services: any ServiceManager) {
        self.host = host
        self.osFamily = osFamily
        self.transport = transport
        self.services = services
    }

    /// By `hosts[].transport`: lab hosts get lab daemons, the others systemd.
    public static func make(_ spec: ClusterSpec, host: StorageModel.Host, runner: any CommandRunner = SubprocessRunner()) throws(LabError) -> HostContext {
        var layout: LabLayout?
        if host.transport == .lab {
            let lab = try LabLayout(spec: spec)
            // nsenter would only say it cannot open a file: say what is wrong instead.
            guard FileManager.default.fileExists(atPath: try lab.host(host.name).mountNamespaceFile) else { throw .notUp(cluster: spec.cluster) }
            layout = lab
        }
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
