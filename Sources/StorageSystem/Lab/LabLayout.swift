import Foundation
import StorageModel

/// Where each spec host lives in the lab: its network namespace, NICs on bridges (one bridge per
/// storage network), and its own /etc, /var/lib, /srv and /run in a persistent mount namespace.
/// In a kernel lab, hypervisors and a kernel NFS server are qemu guests instead (their NICs are
/// taps on the same bridges), reached over ssh from a control namespace on every bridge.
/// Computed from the spec (and whether the recorded lab is a kernel lab), so `up`, `down` and
/// `exec` agree without asking the system.
public struct LabLayout: Sendable, Equatable {
    public struct Bridge: Sendable, Equatable {
        public var name: String
        public var network: String
    }

    public struct NIC: Sendable, Equatable {
        /// The veth end (a guest's tap) left in the root namespace, enslaved to the bridge (≤ 15 characters).
        public var rootName: String
        /// A guest NIC's MAC address (the guest finds its NIC by it).
        public var mac: String
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
        /// A qemu guest with its own kernel (kernel lab), not a network namespace.
        public var isGuest: Bool = false
        /// A guest's virtio disks, in /dev/vda, /dev/vdb… order.
        public var disks: [GuestDisk] = []

        /// The bind-mounted file that keeps the host's UTS namespace (its own host name) alive.
        public var utsNamespaceFile: String { (mountNamespaceFile as NSString).deletingPathExtension + ".uts" }
    }

    /// A sparse file on this machine that a guest sees as /dev/vdX (for `drbd.resources[].disk`).
    public struct GuestDisk: Sendable, Equatable {
        public static let defaultSize: UInt64 = 256 << 20
        public var device: String
        public var file: String
        public var size: UInt64
    }

    /// The admin's seat in a kernel lab: a namespace with an address on every bridge, from
    /// which guests are reached over ssh (never from this machine's own namespace).
    public struct ControlNode: Sendable, Equatable {
        public var namespace: String
        public var nics: [NIC]
    }

    /// Files a kernel lab shares with its guests (over the read-only 9p root).
    public struct KernelFiles: Sendable, Equatable {
        public var directory: String
        public var clientKey: String { "\(directory)/id_ed25519" }
        public var hostKey: String { "\(directory)/ssh_host_ed25519_key" }
        public var knownHosts: String { "\(directory)/known_hosts" }
        public var authorizedKeys: String { "\(directory)/authorized_keys" }
        public var sshdConfig: String { "\(directory)/sshd_config" }
        public var initramfs: String { "\(directory)/initramfs.gz" }
        public var initramfsTree: String { "\(directory)/initramfs" }
    }

    /// qemu's account on a lab hypervisor, as Debian's libvirt makes it (`rehearse` runs the
    /// canary VM as it, and check compares it across hosts).
    public static let qemuAccount = (name: "libvirt-qemu", useradd: ["--system", "--uid", "64055", "--gid", "kvm", "--home-dir", "/var/lib/libvirt", "--no-create-home", "--shell", "/usr/sbin/nologin", "libvirt-qemu"])

    /// Directories every lab host gets its own copy of (overlays over the real ones).
    public static let privateDirectories = ["/etc", "/var/lib"]
    /// The programs: a namespace host's own layer over this machine's /usr, so that `deploy`
    /// and `dpkg -i` install into that host alone (/usr/local/bin/storagekit, /usr/bin).
    /// Spec paths under /usr stay refused (a kernel-lab guest has only its own /usr/local).
    public static let programDirectories = ["/usr"]
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
    /// Set in a kernel lab.
    public var control: ControlNode?

    public var stateFile: String { "\(runDirectory)/state.json" }
    public var kernel: Bool { control != nil }
    public var kernelFiles: KernelFiles { KernelFiles(directory: "\(dataDirectory)/kernel") }
    public var guests: [LabHost] { hosts.filter(\.isGuest) }
    public var namespaceHosts: [LabHost] { hosts.filter { !$0.isGuest } }

    /// Neighbour (ARP) entries the lab can need: every NIC on a bridge may learn every other
    /// one there. The kernel keeps one table for all network namespaces, 1024 entries by
    /// default (gc_thresh3): a lab of 50 hypervisors fills it, and packets to neighbours that
    /// cannot be added are dropped, which `check` would read as firewalls dropping them.
    public var neighbourEntries: Int {
        let nics = hosts.flatMap(\.nics) + (control?.nics ?? [])
        return bridges.map { bridge in nics.filter { $0.bridge == bridge.name }.count }.map { $0 * $0 }.reduce(0, +)
    }

    /// `kernel` nil: a kernel lab when the recorded lab of this cluster is one.
    public static let defaultRunRoot = "/run/storagekit/lab"

    public init(spec: ClusterSpec, runRoot: String = LabLayout.defaultRunRoot, dataRoot: String = "/var/tmp/storagekit-lab", kernel: Bool? = nil) throws(SystemError) {
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
                let digest = sha256Hex("\(spec.cluster)/\(host.name)/\(index)")
                nics.append(NIC(
                    rootName: "skv" + digest.prefix(8), mac: Self.mac(digest), name: "eth\(index)",
                    bridge: bridges[slot].name, address: text, prefix: networks[slot].prefix))
            }
            hosts.append(LabHost(
                name: host.name, namespace: "sk-\(spec.cluster)-\(host.name)",
                mountNamespaceFile: "\(runDirectory)/\(host.name).mnt", dataDirectory: "\(dataDirectory)/\(host.name)", nics: nics))
        }
        self.hosts = hosts
        let kernelLab = kernel ?? ((try? LabState.load("\(runDirectory)/state.json")) ?? nil)?.kernel ?? false
        guard kernelLab else { return }
        for index in self.hosts.indices where Self.becomesGuest(self.hosts[index].name, in: spec) {
            self.hosts[index].isGuest = true
            self.hosts[index].disks = Self.guestDisks(of: self.hosts[index], in: spec)
        }
        let used = Set(spec.hosts.flatMap(\.addresses).compactMap(IPv4Address.init).map(\.value))
        var controlNICs: [NIC] = []
        for (slot, network) in networks.enumerated() {
            guard let free = (0..<64).map({ network.hostAddress(belowLast: $0) }).first(where: { !used.contains($0.value) }) else {
                throw .noControlAddress(network: network.description)
            }
            let digest = sha256Hex("\(spec.cluster)/control/\(slot)")
            controlNICs.append(NIC(rootName: "skc" + digest.prefix(8), mac: Self.mac(digest), name: "eth\(slot)", bridge: bridges[slot].name, address: free.description, prefix: network.prefix))
        }
        control = ControlNode(namespace: "sk-\(spec.cluster)-ctl", nics: controlNICs)
    }

    /// /dev/vdX disks the spec's DRBD resources name on `host`: one file per letter up to the
    /// highest named (an unnamed letter in between gets a file too, so names and order agree).
    static func guestDisks(of host: LabHost, in spec: ClusterSpec) -> [GuestDisk] {
        let named = spec.drbdResources(of: host.name).flatMap { [$0.disk, $0.metaDisk] }.compactMap(virtioLetter)
        guard let last = named.max(), let lastValue = last.asciiValue, let first = Character("a").asciiValue else { return [] }
        return (first...lastValue).map { value in
            let letter = Character(UnicodeScalar(value))
            return GuestDisk(device: "/dev/vd\(letter)", file: "\(host.dataDirectory)/disk-vd\(letter).img", size: GuestDisk.defaultSize)
        }
    }

    /// `b` of `/dev/vdb`: the virtio disks a guest gets are `/dev/vda` to `/dev/vdz`.
    static func virtioLetter(_ path: String) -> Character? {
        guard path.hasPrefix("/dev/vd"), path.count == 8, let letter = path.last, ("a"..."z").contains(letter) else { return nil }
        return letter
    }

    /// Hypervisors, and servers that live in the kernel (knfsd, a LIO target), need a real kernel.
    public static func becomesGuest(_ host: String, in spec: ClusterSpec) -> Bool {
        spec.host(named: host)?.has(.hypervisor) == true || !kernelServers(of: host, in: spec).isEmpty
    }

    /// The servers `host` runs in its own kernel.
    public static func kernelServers(of host: String, in spec: ClusterSpec) -> Set<KernelGuest.KernelServer> {
        var servers = Set<KernelGuest.KernelServer>()
        if spec.nfs.map({ $0.server == host && $0.implementation == .kernel }) == true { servers.insert(.knfsd) }
        if spec.iscsi?.targets.contains(where: { $0.server == host && $0.implementation == .lio }) == true { servers.insert(.lio) }
        return servers
    }

    /// A locally administered unicast MAC in qemu's 52:54:00 range.
    static func mac(_ digest: String) -> String {
        let hex = Array(digest.prefix(6))
        return "52:54:00:" + stride(from: 0, to: 6, by: 2).map { String(hex[$0..<$0 + 2]) }.joined(separator: ":")
    }

    /// What every lab host's /etc/hosts gets, as a cluster's DNS would say it: each host's name
    /// at its first address (libvirt builds a migration URI from the destination's host name).
    public var hostsFileLines: [String] {
        ["# storagekit lab \(cluster): each host's name at its first address"] + hosts.compactMap { host in host.nics.first.map { "\($0.address) \(host.name)" } }
    }

    public func host(_ name: String) throws(SystemError) -> LabHost {
        guard let host = hosts.first(where: { $0.name == name }) else { throw .unknownLabHost(name, known: hosts.map(\.name)) }
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

    /// argv that runs `command` on `host`: inside its network and mount namespaces, or for a
    /// guest, over ssh from the control namespace (key and host key made by `lab up`).
    public func execArguments(host: LabHost, _ command: [String], timeout: Duration = .seconds(60)) -> [String] {
        guard host.isGuest, let control, let first = command.first, let address = host.nics.first?.address else {
            return ["nsenter", "--mount=\(host.mountNamespaceFile)", "--uts=\(host.utsNamespaceFile)", "--net=/run/netns/\(host.namespace)", "--"] + command
        }
        let files = kernelFiles
        let ssh = SSHTransport(
            host: host.name, destination: "root@\(address)", controlDirectory: runDirectory,
            options: ["-F", "/dev/null", "-i", files.clientKey, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
                      "-o", "UserKnownHostsFile=\(files.knownHosts)", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"])
        return ["nsenter", "--net=/run/netns/\(control.namespace)", "--", "ssh"]
            + ssh.sshArguments(for: Command(first, Array(command.dropFirst()), timeout: timeout))
    }
}

/// The lab's failures: `invalidRequest` for a problem with what was asked (exit 2), the others
/// for a failure on the way (exit 1).
extension SystemError {
    public static var notRoot: SystemError {
        SystemError(.notRoot, "the lab needs root (network and mount namespaces): run it with sudo")
    }

    public static func addressOutsideNetworks(host: String, address: String, networks: [String]) -> SystemError {
        SystemError(.invalidRequest, "\(host)'s address \(address) is in none of the spec's networks (\(networks.joined(separator: ", "))): the lab puts each NIC on its network's bridge; add the network to `network:`", host: host)
    }

    public static func unknownLabHost(_ name: String, known: [String]) -> SystemError {
        SystemError(.invalidRequest, "no lab host named \"\(name)\" (hosts: \(known.joined(separator: ", ")))")
    }

    public static func notCreatedByUs(_ what: String) -> SystemError {
        SystemError(.notOurs, "\(what) already exists and was not created by this lab: storagekit will not touch it; remove it or rename the cluster")
    }

    public static func notUp(cluster: String) -> SystemError {
        SystemError(.notUp, "no lab is up for cluster \(cluster): run `storagekit lab up --spec …` first")
    }

    public static func noControlAddress(network: String) -> SystemError {
        SystemError(.lab, "the kernel lab needs a free address near the top of \(network) for its control namespace, and the spec's hosts use them all")
    }

    public static func noKernel(_ reason: String) -> SystemError {
        SystemError(.lab, "the kernel lab cannot boot a guest: \(reason) (scripts/lib/install-deps installs linux-image-amd64 qemu-system-x86 busybox-static cpio)", reason: reason)
    }

    public static func guestNotReady(host: String, reason: String) -> SystemError {
        SystemError(.lab, "guest \(host) did not come up: \(reason)", host: host, reason: reason)
    }

    /// A step of building, starting or taking down the lab failed.
    public static func labStep(_ what: String, reason: String, cause: Code? = nil) -> SystemError {
        SystemError(.lab, "\(what) failed: \(reason)", reason: reason, cause: cause)
    }

    /// `path` of spec field `field` cannot be given to the lab's hosts to write in.
    public static func cannotWrite(field: String, path: String, reason: String) -> SystemError {
        SystemError(.invalidRequest, "\(field): the lab cannot give its hosts \(path) to write in: \(reason). Choose a directory of its own, such as /export/…, /data/… or /srv/…", reason: reason)
    }

    public static func wouldLeaveTheMachine(_ refusal: LabLeakGuard.Refusal) -> SystemError {
        SystemError(.invalidRequest, refusal.description, host: refusal.host)
    }
}
