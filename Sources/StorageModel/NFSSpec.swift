public enum NFSImplementation: String, Sendable, Codable, CaseIterable { case kernel, ganesha }

public struct NFSSpec: Sendable, Equatable {
    /// Name of the host with role nfs-server.
    public var server: String
    public var implementation: NFSImplementation
    /// Address hypervisors mount from; default: the server's first address.
    public var address: String?
    public var exports: [NFSExport]
    public var ports: NFSPorts
    /// Client mount options (the `_netdev` ordering is added by the renderer).
    public var mountOptions: [String]
    /// Seconds of the server's grace period after a (re)start, during which clients reclaim
    /// their locks and new opens wait; nil keeps the implementation's default (90 s).
    public var graceSeconds: Int?

    public static let defaultMountOptions = ["hard", "vers=4.1"]

    public init(
        server: String, implementation: NFSImplementation = .kernel, address: String? = nil,
        exports: [NFSExport], ports: NFSPorts = .init(), mountOptions: [String] = NFSSpec.defaultMountOptions
    ) {
        self.server = server
        self.implementation = implementation
        self.address = address
        self.exports = exports
        self.ports = ports
        self.mountOptions = mountOptions
    }
}

public struct NFSExport: Sendable, Equatable {
    public var path: String
    /// CIDR, host name/address, or `*`.
    public var clients: [String]
    public var options: [String]
    public var fsid: Int?
    /// Where hypervisors mount this export; default: the spec's mountPath (first export only).
    public var mountPath: String?

    public static let defaultOptions = ["rw", "sync", "no_root_squash", "no_subtree_check"]

    /// Root on a client is nobody on this export (root_squash is the default; all_squash too):
    /// qemu's own account is who writes the images.
    public var squashesRoot: Bool { options.contains("all_squash") || !options.contains("no_root_squash") }

    public init(path: String, clients: [String], options: [String] = NFSExport.defaultOptions, fsid: Int? = nil, mountPath: String? = nil) {
        self.path = path
        self.clients = clients
        self.options = options
        self.fsid = fsid
        self.mountPath = mountPath
    }
}

/// The NFS daemons' ports, pinned so a firewall can name them (they roam by default).
public struct NFSPorts: Sendable, Equatable {
    public var nfs: Int = 2049
    public var mountd: Int = 892
    public var statd: Int = 662
    public var statdOutgoing: Int = 2020
    public var lockd: Int = 32803
    public var lockdUdp: Int = 32769
    public var rquotad: Int = 875

    public init() {}

    /// Each pinned port with its spec key, in spec order.
    public var named: [(key: String, port: Int)] {
        [("nfs", nfs), ("mountd", mountd), ("statd", statd), ("statdOutgoing", statdOutgoing),
         ("lockd", lockd), ("lockdUdp", lockdUdp), ("rquotad", rquotad)]
    }
}

extension NFSExport {
    /// Whether one client entry admits `host`: its address (`10.99.1.11`, `10.99.1.11/32`), a
    /// network holding one of its addresses, its name, or everyone (`*` in the spec,
    /// `(everyone)` in a server's export list).
    public static func entry(_ client: String, admits host: Host) -> Bool {
        let bare = client.hasSuffix("/32") ? String(client.dropLast(3)) : client
        if bare == "*" || bare == "(everyone)" || bare == host.name || host.addresses.contains(bare) { return true }
        guard let network = IPv4Network(bare) else { return false }
        return host.addresses.compactMap(IPv4Address.init).contains(where: network.contains)
    }

    /// Whether the export's clients admit `host`.
    public func admits(_ host: Host) -> Bool {
        clients.contains { Self.entry($0, admits: host) }
    }
}

/// An NFS daemon whose TCP port the spec pins, as rpcbind registers it and the firewall names it.
public struct PinnedDaemon: Sendable, Equatable {
    /// rpcinfo's name: nfs, mountd, nlockmgr, rquotad, status.
    public var rpcName: String
    /// The firewall's (and the spec's) name: nfs, mountd, lockd, rquotad, statd.
    public var service: String
    public var program: Int
    public var port: Int
    /// Every mount needs it (nfs, mountd); the others serve NFSv3 locking and quotas.
    public var required: Bool
}

extension NFSSpec {
    /// The pinned daemons that register with rpcbind; statd is the kernel server's only
    /// (nfs-ganesha has its own NSM client).
    public var pinnedDaemons: [PinnedDaemon] {
        var daemons = [
            PinnedDaemon(rpcName: "nfs", service: "nfs", program: 100003, port: ports.nfs, required: true),
            PinnedDaemon(rpcName: "mountd", service: "mountd", program: 100005, port: ports.mountd, required: true),
            PinnedDaemon(rpcName: "nlockmgr", service: "lockd", program: 100021, port: ports.lockd, required: false),
            PinnedDaemon(rpcName: "rquotad", service: "rquotad", program: 100011, port: ports.rquotad, required: false),
        ]
        if implementation == .kernel {
            daemons.append(PinnedDaemon(rpcName: "status", service: "statd", program: 100024, port: ports.statd, required: false))
        }
        return daemons
    }
}
