/// The whole declarative spec of one cluster's shared storage (see docs/spec.md).
public struct ClusterSpec: Sendable, Equatable {
    public var cluster: String
    public var os: OSFamily
    /// Where shared storage appears on every hypervisor.
    public var mountPath: String
    /// Storage networks (CIDR); the firewall's allowed sources.
    public var networks: [String]
    public var hosts: [Host]
    public var nfs: NFSSpec?
    public var iscsi: ISCSISpec?
    public var drbd: DRBDSpec?
    public var firewall: FirewallSpec
    public var migration: MigrationSpec
    /// `storagekit.path`: where storagekit is on every host (`deploy` puts it there, and the
    /// commands that run it on hosts run that file). nil: see `StorageKitInstall`.
    public var storagekitPath: String?

    public init(
        cluster: String, os: OSFamily = .debian, mountPath: String, networks: [String], hosts: [Host],
        nfs: NFSSpec? = nil, iscsi: ISCSISpec? = nil, drbd: DRBDSpec? = nil, firewall: FirewallSpec = .init(),
        migration: MigrationSpec = .init()
    ) {
        self.cluster = cluster
        self.os = os
        self.mountPath = mountPath
        self.networks = networks
        self.hosts = hosts
        self.nfs = nfs
        self.iscsi = iscsi
        self.drbd = drbd
        self.firewall = firewall
        self.migration = migration
    }

    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }

    public func osFamily(of host: Host) -> OSFamily { host.os ?? os }
}

public enum OSFamily: String, Sendable, Codable, CaseIterable { case debian, rhel }

/// How storagekit reaches a host to act on it.
public enum TransportKind: String, Sendable, Codable, CaseIterable {
    /// This machine.
    case local
    /// OpenSSH to root@<first address>, batch mode, one reused connection.
    case ssh
    /// A host of `storagekit lab` on this machine (its network and mount namespaces).
    case lab

    /// What an admin runs to see why `host` could not be reached this way.
    public func reachabilityCheck(of host: Host, specFile: String) -> String {
        switch self {
        case .local: "storagekit --version (is storagekit installed here?)"
        case .ssh: "ssh root@\(host.addresses.first ?? host.name) storagekit --version (is the host up, is storagekit installed?)"
        case .lab: "storagekit lab status --spec \(specFile); is the lab up and the host's namespace alive?"
        }
    }
}

public enum HostRole: String, Sendable, Codable, CaseIterable {
    case iscsiTarget = "iscsi-target"
    case nfsServer = "nfs-server"
    case hypervisor
}

public struct Host: Sendable, Equatable {
    public var name: String
    public var addresses: [String]
    /// `address` (one) or `addresses` (several): the key the spec used, for error paths.
    public var addressKey: String
    public var roles: [HostRole]
    public var initiatorName: String?
    public var os: OSFamily?
    public var transport: TransportKind
    /// `hosts[i].firewall.backend`: this host's firewall, when it differs from the cluster's.
    public var firewallBackend: FirewallBackend?

    public init(
        name: String, addresses: [String], addressKey: String = "address", roles: [HostRole],
        initiatorName: String? = nil, os: OSFamily? = nil, transport: TransportKind = .ssh, firewallBackend: FirewallBackend? = nil
    ) {
        self.transport = transport
        self.firewallBackend = firewallBackend
        self.name = name
        self.addresses = addresses
        self.addressKey = addressKey
        self.roles = roles
        self.initiatorName = initiatorName
        self.os = os
    }

    public func has(_ role: HostRole) -> Bool { roles.contains(role) }

    /// Field path of address `index`, as the spec wrote it.
    public func addressPath(host index: Int, address: Int) -> String {
        addressKey == "address" ? "hosts[\(index)].address" : "hosts[\(index)].addresses[\(address)]"
    }
}

public struct FirewallSpec: Sendable, Equatable {
    public var manage: Bool
    public var backend: FirewallBackend
    public init(manage: Bool = false, backend: FirewallBackend = .auto) {
        self.manage = manage
        self.backend = backend
    }
}

public enum Hypervisor: String, Sendable, Codable, CaseIterable { case kvm, xen }

/// Xen's migration daemon: xend listens on its relocation port; xl migrates over ssh.
public enum XenToolstack: String, Sendable, Codable, CaseIterable { case xend, xl }

/// How KVM guests move: libvirt's `qemu+ssh://`, `qemu+tls://` or `qemu+tcp://`.
public enum MigrationTransport: String, Sendable, Codable, CaseIterable { case ssh, tls, tcp }

/// Whether migrations need root on each hypervisor to reach the others over ssh.
public enum SSHTrustNeed: Sendable, Equatable {
    /// The spec says so (`transport: ssh`, or Xen's xl): a host that cannot is not ready.
    case required
    /// The spec does not say how KVM guests move: a host that cannot is worth a warning.
    case unstated
    /// tls, tcp or xend's relocation server: ssh plays no part.
    case unused
}

public struct MigrationSpec: Sendable, Equatable {
    public static let defaultRelocationPort = 8002

    public var hypervisor: Hypervisor
    /// Write the hypervisor's own migration settings (Xen: xend's relocation stanza).
    public var configure: Bool
    /// Xen with xend: the port xend-relocation-server listens on.
    public var relocationPort: Int
    /// Xen only.
    public var toolstack: XenToolstack
    /// KVM only; nil when the spec does not say.
    public var transport: MigrationTransport?

    public init(
        hypervisor: Hypervisor = .kvm, configure: Bool = false, relocationPort: Int = MigrationSpec.defaultRelocationPort, toolstack: XenToolstack = .xend,
        transport: MigrationTransport? = nil
    ) {
        self.hypervisor = hypervisor
        self.configure = configure
        self.relocationPort = relocationPort
        self.toolstack = toolstack
        self.transport = transport
    }

    public var sshTrust: SSHTrustNeed {
        switch hypervisor {
        case .xen: toolstack == .xl ? .required : .unused
        case .kvm:
            switch transport {
            case .ssh: .required
            case nil: .unstated
            case .tls, .tcp: .unused
            }
        }
    }

    /// Xen guests move through xend's relocation server (not ssh).
    public var usesXendRelocation: Bool { hypervisor == .xen && toolstack == .xend }
}
