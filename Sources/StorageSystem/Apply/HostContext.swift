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

    /// By `hosts[].transport`: lab hosts in namespaces get lab daemons; kernel-lab guests and
    /// real hosts get systemd, or detached daemons where systemd is not PID 1.
    /// - Parameter lab: the spec's lab layout when the caller has it already (building one is
    ///   linear in the spec's hosts: a check of 200 hosts would build it 200 times).
    public static func make(_ spec: ClusterSpec, host: StorageModel.Host, lab known: LabLayout? = nil, runner: any CommandRunner = SubprocessRunner()) throws(SystemError) -> HostContext {
        var layout: LabLayout?
        var guest = false
        if host.transport == .lab {
            let lab: LabLayout
            if let known { lab = known } else { lab = try LabLayout(spec: spec) }
            let labHost = try lab.host(host.name)
            guest = labHost.isGuest
            // nsenter would only say it cannot open a file: say what is wrong instead.
            let present = guest ? FileManager.default.fileExists(atPath: lab.kernelFiles.knownHosts) : FileManager.default.fileExists(atPath: labHost.mountNamespaceFile)
            guard present else { throw .notUp(cluster: spec.cluster) }
            layout = lab
        }
        let transport = try Transports.make(for: host, layout: layout, namespaceLab: isLabNamespaceOverSSH(spec, host, lab: known), runner: runner)
        let services: any ServiceManager = if let layout, !guest { try LabServiceManager(layout: layout, host: host.name) } else { SystemdServiceManager(transport: transport) }
        return HostContext(host: host, osFamily: spec.osFamily(of: host), transport: transport, services: services)
    }
}

/// An ssh host that is also a namespace of this cluster's lab, up on this machine (its sshd
/// started by bench/readiness): the lab's kernel facts rules apply to it.
func isLabNamespaceOverSSH(_ spec: ClusterSpec, _ host: StorageModel.Host, lab known: LabLayout? = nil) -> Bool {
    guard host.transport == .ssh, let lab = known ?? (try? LabLayout(spec: spec)), let labHost = try? lab.host(host.name), !labHost.isGuest else { return false }
    return FileManager.default.fileExists(atPath: labHost.mountNamespaceFile)
}

/// The daemons storagekit starts, per OS family.
public enum Services {
    public static let rpcbind = ServiceDefinition(name: "rpcbind", systemdUnit: "rpcbind", foreground: ["rpcbind", "-f", "-w"], listens: true)
    public static let ganesha = ServiceDefinition(
        name: "ganesha", systemdUnit: "nfs-ganesha",
        foreground: ["ganesha.nfsd", "-F", "-f", "/etc/ganesha/ganesha.conf", "-L", "/run/ganesha.log", "-p", "/run/ganesha.pid", "-N", "NIV_EVENT"],
        listens: true)
    /// Without systemd: what nfs-server.service and its dependencies do (nfsd file system,
    /// exports, kernel threads, which take lockd's ports from nfs.conf), then mountd in the
    /// foreground as the service's process.
    public static let nfsServer = ServiceDefinition(
        name: "nfs-server", systemdUnit: "nfs-server",
        foreground: ["sh", "-c", "grep -qs ' /proc/fs/nfsd ' /proc/mounts || { modprobe nfsd && mount -t nfsd nfsd /proc/fs/nfsd; } && exportfs -r && rpc.nfsd && exec rpc.mountd --foreground"],
        processName: "rpc.mountd")
    public static let iscsid = ServiceDefinition(name: "iscsid", systemdUnit: "iscsid", foreground: ["iscsid", "-f"])
    public static let statd = ServiceDefinition(name: "rpc-statd", systemdUnit: "rpc-statd", foreground: ["rpc.statd", "--foreground"])

    public static func tgtd(_ os: OSFamily) -> ServiceDefinition {
        ServiceDefinition(name: "tgtd", systemdUnit: os == .rhel ? "tgtd" : "tgt", foreground: ["tgtd", "-f"], listens: true)
    }
}
