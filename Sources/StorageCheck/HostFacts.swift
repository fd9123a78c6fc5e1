/// What one host saw of the cluster's storage, gathered on that host (`storagekit facts`) and
/// sent back as JSON. Plain values only: the readiness rules read these and nothing else.
public struct HostFacts: Sendable, Codable, Equatable {
    public var host: String
    /// The storagekit version that gathered them.
    public var version: String
    /// The linker's build id of that storagekit (`BuildInfo`): hosts that answer with another
    /// one than the checker's run another build.
    public var build: String?
    /// Every (target, portal) this host is meant to use, as libiscsi saw it from here.
    public var iscsi: [PortalFacts]
    /// The NFS server as libnfs saw it from here; nil when the spec has no NFS.
    public var nfs: NFSFacts?
    public var paths: [PathFacts]
    public var kernel: KernelFacts
    public var system: SystemFacts
    /// TCP connects from here to the other hypervisors' migration ports.
    public var migrationPorts: [PortFacts]
    /// ssh logins from here to the same peers, when migrations may go over ssh.
    public var ssh: [SSHTrustFacts]
    public var domains: Known<[DomainFacts]>
    /// The DRBD devices of a host that is a node of a `drbd:` resource.
    public var drbd: Known<DRBDFacts>
    public var durationMs: Double

    public init(
        host: String, version: String, iscsi: [PortalFacts] = [], nfs: NFSFacts? = nil, paths: [PathFacts] = [],
        kernel: KernelFacts = .init(), system: SystemFacts = .init(), migrationPorts: [PortFacts] = [],
        ssh: [SSHTrustFacts] = [], domains: Known<[DomainFacts]> = .unknown("not gathered"), drbd: Known<DRBDFacts> = .unknown("not gathered"), durationMs: Double = 0
    ) {
        self.host = host
        self.version = version
        self.iscsi = iscsi
        self.nfs = nfs
        self.paths = paths
        self.kernel = kernel
        self.system = system
        self.migrationPorts = migrationPorts
        self.ssh = ssh
        self.domains = domains
        self.drbd = drbd
        self.durationMs = durationMs
    }
}

/// A fact that may be unavailable on this host, with the reason (no kernel initiator in the lab,
/// virsh not installed…): rules turn the reason into a `skip`, never into a pass.
public enum Known<Value: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    case known(Value)
    case unknown(String)

    public var value: Value? {
        if case .known(let value) = self { return value }
        return nil
    }

    public var reason: String? {
        if case .unknown(let reason) = self { return reason }
        return nil
    }

    public func map<Other: Sendable & Codable & Equatable>(_ transform: (Value) -> Other) -> Known<Other> {
        switch self {
        case .known(let value): .known(transform(value))
        case .unknown(let reason): .unknown(reason)
        }
    }

    private enum CodingKeys: String, CodingKey { case value, unavailable }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let reason = try container.decodeIfPresent(String.self, forKey: .unavailable) {
            self = .unknown(reason)
        } else {
            self = .known(try container.decode(Value.self, forKey: .value))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .known(let value): try container.encode(value, forKey: .value)
        case .unknown(let reason): try container.encode(reason, forKey: .unavailable)
        }
    }
}

/// A TCP connect's outcome: `refused` means reachable with nothing listening, `timeout` a
/// firewall dropping the port (or the host is down).
public enum Reach: String, Sendable, Codable, Equatable {
    case open, refused, timeout, unreachable

    /// Dropped or unroutable: something between the hosts keeps the connection from happening.
    public var isFiltered: Bool { self == .timeout || self == .unreachable }
}

/// A probe's typed error, as `storagekit probe --json` prints it.
public struct ProbeFailure: Sendable, Codable, Equatable {
    /// `timeout`, `connection-refused`, `auth-failed`, `not-in-acl`, `mount-denied`…
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

public struct PortalFacts: Sendable, Codable, Equatable {
    public var target: String
    public var portal: String
    public var tcp: Reach
    /// What SendTargets listed to this initiator; nil when discovery did not run.
    public var discovered: [String]?
    /// Login or a later step failed.
    public var error: ProbeFailure?
    public var luns: [LUNFacts]

    public init(target: String, portal: String, tcp: Reach, discovered: [String]? = nil, error: ProbeFailure? = nil, luns: [LUNFacts] = []) {
        self.target = target
        self.portal = portal
        self.tcp = tcp
        self.discovered = discovered
        self.error = error
        self.luns = luns
    }

    /// Logged in and listed the LUNs.
    public var loggedIn: Bool { tcp == .open && error == nil }
}

public struct LUNFacts: Sendable, Codable, Equatable {
    public var lun: Int
    public var serial: String
    public var wwid: String?
    public var sizeBytes: UInt64
    public var vendor: String
    public var product: String
    public var ready: Bool

    public init(lun: Int, serial: String, wwid: String?, sizeBytes: UInt64, vendor: String = "IET", product: String = "VIRTUAL-DISK", ready: Bool = true) {
        self.lun = lun
        self.serial = serial
        self.wwid = wwid
        self.sizeBytes = sizeBytes
        self.vendor = vendor
        self.product = product
        self.ready = ready
    }
}

public struct RPCRegistration: Sendable, Codable, Equatable {
    public var program: Int
    public var version: Int
    public var `protocol`: String
    public var port: Int

    public init(program: Int, version: Int, protocol: String, port: Int) {
        self.program = program
        self.version = version
        self.protocol = `protocol`
        self.port = port
    }
}

public struct NFSFacts: Sendable, Codable, Equatable {
    public var server: String
    public var rpcbind: Reach
    /// The TCP connect to rpcbind or the portmapper dump failed.
    public var error: ProbeFailure?
    /// The MOUNT export list failed (mountd dropped or down).
    public var exportListError: ProbeFailure?
    public var rpc: [RPCRegistration]
    /// TCP connects to each pinned port.
    public var ports: [PortFacts]
    /// The MOUNT export list as this host got it: path → clients.
    public var exports: [ExportListing]
    /// One per spec export this host may mount.
    public var mounts: [ExportMountFacts]

    public init(
        server: String, rpcbind: Reach, error: ProbeFailure? = nil, rpc: [RPCRegistration] = [], ports: [PortFacts] = [],
        exports: [ExportListing] = [], exportListError: ProbeFailure? = nil, mounts: [ExportMountFacts] = []
    ) {
        self.exportListError = exportListError
        self.server = server
        self.rpcbind = rpcbind
        self.error = error
        self.rpc = rpc
        self.ports = ports
        self.exports = exports
        self.mounts = mounts
    }
}

public struct ExportListing: Sendable, Codable, Equatable {
    public var path: String
    public var clients: [String]

    public init(path: String, clients: [String]) {
        self.path = path
        self.clients = clients
    }
}

/// An export mounted with libnfs from this host.
public struct ExportMountFacts: Sendable, Codable, Equatable {
    public var export: String
    public var error: ProbeFailure?
    /// Owner and mode of the export's root as the server reports them.
    public var rootUID: Int?
    public var rootGID: Int?
    public var rootMode: Int?
    /// A file this host wrote and left for the others to read (removed after the check).
    public var canary: CanaryFile?
    /// Mounted, but the canary could not be written.
    public var canaryError: String?

    public init(
        export: String, error: ProbeFailure? = nil, rootUID: Int? = nil, rootGID: Int? = nil, rootMode: Int? = nil, canary: CanaryFile? = nil,
        canaryError: String? = nil
    ) {
        self.export = export
        self.error = error
        self.rootUID = rootUID
        self.rootGID = rootGID
        self.rootMode = rootMode
        self.canary = canary
        self.canaryError = canaryError
    }
}

/// A canary: its path relative to the export root and its exact content.
public struct CanaryFile: Sendable, Codable, Equatable {
    public var path: String
    public var content: String

    public init(path: String, content: String) {
        self.path = path
        self.content = content
    }
}

public struct PortFacts: Sendable, Codable, Equatable {
    public var address: String
    public var port: Int
    public var service: String
    /// The spec host behind the address, when there is one.
    public var peer: String?
    public var reach: Reach
    /// The last port of a run of ports that all answered alike (`port` is the first).
    public var endPort: Int?

    public init(address: String, port: Int, through endPort: Int? = nil, service: String, peer: String? = nil, reach: Reach) {
        self.address = address
        self.port = port
        self.endPort = endPort
        self.service = service
        self.peer = peer
        self.reach = reach
    }

    /// `49152` or `49152-49215`.
    public var portText: String { endPort.map { $0 == port ? "\(port)" : "\(port)-\($0)" } ?? "\(port)" }
}

public struct PathFacts: Sendable, Codable, Equatable {
    public var path: String
    public var exists: Bool
    public var isDirectory: Bool

    public init(path: String, exists: Bool, isDirectory: Bool) {
        self.path = path
        self.exists = exists
        self.isDirectory = isDirectory
    }
}

/// What only a host's kernel can tell: iSCSI sessions, multipath maps, mounts.
public struct KernelFacts: Sendable, Codable, Equatable {
    public var sessions: Known<[SessionFacts]>
    public var multipath: Known<[MultipathMapFacts]>
    public var mounts: Known<[MountFacts]>

    public init(
        sessions: Known<[SessionFacts]> = .unknown("not gathered"), multipath: Known<[MultipathMapFacts]> = .unknown("not gathered"),
        mounts: Known<[MountFacts]> = .unknown("not gathered")
    ) {
        self.sessions = sessions
        self.multipath = multipath
        self.mounts = mounts
    }
}

public struct SessionFacts: Sendable, Codable, Equatable {
    public var target: String
    public var portal: String
    public var state: String

    public init(target: String, portal: String, state: String) {
        self.target = target
        self.portal = portal
        self.state = state
    }
}

public struct MultipathMapFacts: Sendable, Codable, Equatable {
    public var alias: String
    public var wwid: String
    /// One entry per path: its state as `multipath -ll` shows it (`active`, `failed`…).
    public var pathStates: [String]

    public init(alias: String, wwid: String, pathStates: [String]) {
        self.alias = alias
        self.wwid = wwid
        self.pathStates = pathStates
    }

    public var activePaths: Int { pathStates.filter { $0 == "active" }.count }
}

/// One line of `findmnt --json` for a mountPath.
public struct MountFacts: Sendable, Codable, Equatable {
    public var target: String
    public var source: String
    public var fstype: String
    /// The mount options as the kernel shows them (`rw,relatime,vers=3,hard,…`).
    public var options: [String]

    public init(target: String, source: String, fstype: String, options: [String] = []) {
        self.target = target
        self.source = source
        self.fstype = fstype
        self.options = options
    }
}

public struct SystemFacts: Sendable, Codable, Equatable {
    public var cpuVendor: String?
    public var cpuFlags: [String]
    /// `/etc/os-release` ID and VERSION_ID.
    public var osID: String?
    public var osVersion: String?
    public var bridges: [String]
    /// `getsebool virt_use_nfs`: true on, false off; unknown where SELinux is absent.
    public var virtUseNFS: Known<Bool>
    /// The account qemu runs as (libvirt-qemu on Debian, qemu on RHEL): what root_squash leaves.
    public var hypervisorUser: Known<UserFacts>
    /// KVM hypervisors: libvirt's and QEMU's releases (`libvirtd --version`,
    /// `qemu-system-x86_64 --version`), which decide what libvirt lets migrate.
    public var libvirtVersion: Known<SoftwareVersion>
    public var qemuVersion: Known<SoftwareVersion>
    /// The machine types this QEMU offers (`qemu-system-x86_64 -machine help`), aliases included.
    public var machineTypes: Known<[String]>
    /// The ports libvirt gives incoming migrations here (`migration_port_min`/`max` of
    /// /etc/libvirt/qemu.conf; 49152–49215 when unset).
    public var migrationPortRange: Known<PortRange>
    /// How peers reach this host for a migration: its host name and the IPv4 addresses it
    /// resolves to here (`getent ahostsv4`), and qemu.conf's `migration_host` and
    /// `migration_address` when set (libvirt then uses them instead).
    public var migrationAddress: Known<MigrationAddressFacts>
    /// Which firewall runs here and where storagekit's rules are (when the spec manages it).
    public var firewall: Known<FirewallFacts> = .unknown("not gathered")

    public init(
        cpuVendor: String? = nil, cpuFlags: [String] = [], osID: String? = nil, osVersion: String? = nil, bridges: [String] = [],
        virtUseNFS: Known<Bool> = .unknown("not gathered"), hypervisorUser: Known<UserFacts> = .unknown("not gathered"),
        libvirtVersion: Known<SoftwareVersion> = .unknown("not gathered"), qemuVersion: Known<SoftwareVersion> = .unknown("not gathered"),
        machineTypes: Known<[String]> = .unknown("not gathered"), migrationPortRange: Known<PortRange> = .unknown("not gathered"),
        migrationAddress: Known<MigrationAddressFacts> = .unknown("not gathered")
    ) {
        self.migrationPortRange = migrationPortRange
        self.migrationAddress = migrationAddress
        self.hypervisorUser = hypervisorUser
        self.libvirtVersion = libvirtVersion
        self.qemuVersion = qemuVersion
        self.machineTypes = machineTypes
        self.cpuVendor = cpuVendor
        self.cpuFlags = cpuFlags
        self.osID = osID
        self.osVersion = osVersion
        self.bridges = bridges
        self.virtUseNFS = virtUseNFS
    }

    /// Facts left out on purpose (`check --only`), each unknown for `reason`.
    public init(notGathered reason: String) {
        self.init(virtUseNFS: .unknown(reason), hypervisorUser: .unknown(reason), libvirtVersion: .unknown(reason), qemuVersion: .unknown(reason), machineTypes: .unknown(reason), migrationPortRange: .unknown(reason), migrationAddress: .unknown(reason))
    }

    /// `ubuntu 24.04`: the whole release, since 24.04 and 24.10 differ as much as 22.04 and 24.04.
    public var osRelease: String { "\(osID ?? "unknown") \(osVersion ?? "?")" }
}

/// A guest defined on this hypervisor and its disks.
public struct DomainFacts: Sendable, Codable, Equatable {
    public var name: String
    public var disks: [DiskFacts]
    /// Files the guest needs that are not its disks: CD-ROM and floppy media, NVRAM, a direct
    /// kernel and initrd. The destination opens them by the same path.
    public var files: [GuestFile]
    /// `<os><type machine=…>` (`pc-q35-7.2`): every destination's QEMU must offer it.
    public var machine: String?
    /// `<cpu mode=…>` (`host-passthrough`, `host-model`, `custom`) and the features it requires.
    public var cpuMode: String?
    public var cpuFeatures: [String]
    /// What makes libvirt refuse to live-migrate it whatever the storage: a host device, a
    /// virtiofs share, a transient disk, invtsc without a TSC frequency, snapshots.
    public var blockers: [String]
    /// Its emulated or external TPM, if it has one (`<tpm>`).
    public var tpm: TPMFacts?

    public init(
        name: String, disks: [DiskFacts], files: [GuestFile] = [], machine: String? = nil, cpuMode: String? = nil, cpuFeatures: [String] = [], blockers: [String] = [],
        tpm: TPMFacts? = nil
    ) {
        self.tpm = tpm
        self.name = name
        self.disks = disks
        self.files = files
        self.machine = machine
        self.cpuMode = cpuMode
        self.cpuFeatures = cpuFeatures
        self.blockers = blockers
    }
}

/// A guest's vTPM: `<tpm><backend type='emulator'>` is a swtpm that libvirt starts with its
/// state in /var/lib/libvirt/swtpm/<uuid>, or in `<source path=…>` (libvirt ≥ 10.10);
/// `external` is a swtpm someone else runs, reached by its socket.
public struct TPMFacts: Sendable, Codable, Equatable {
    public enum Backend: String, Sendable, Codable, Equatable { case emulator, external }

    public var backend: Backend
    /// Where swtpm keeps its state (the emulator's); nil when the domain has no uuid to build
    /// libvirt's default from.
    public var statePath: String?

    public init(backend: Backend, statePath: String?) {
        self.backend = backend
        self.statePath = statePath
    }
}

/// A file a guest opens by its path that is not one of its disks.
public struct GuestFile: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, Equatable {
        case cdrom = "CD-ROM", floppy, nvram = "NVRAM", kernel, initrd
    }

    public var kind: Kind
    public var path: String

    public init(_ kind: Kind, _ path: String) {
        self.kind = kind
        self.path = path
    }
}

public struct DiskFacts: Sendable, Codable, Equatable {
    /// A file or block device path.
    public var source: String
    /// libvirt's `<driver cache=…>`; nil when not set (or for Xen).
    public var cache: String?
    public var target: String?
    /// The image's backing files, nearest first (`qemu-img info --backing-chain`); empty for a
    /// raw image or a block device; unknown when the chain could not be read.
    public var backingFiles: Known<[String]>

    public init(source: String, cache: String? = nil, target: String? = nil, backingFiles: Known<[String]> = .known([])) {
        self.source = source
        self.cache = cache
        self.target = target
        self.backingFiles = backingFiles
    }
}

public struct UserFacts: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The accounts qemu runs as, in the order looked for: Debian's libvirt, then RHEL's.
    public static let qemuAccountNames = ["libvirt-qemu", "qemu"]
    public static let qemuAccountMissing = "neither libvirt-qemu nor qemu exists: is libvirt installed?"

    public var name: String
    public var uid: Int
    public var gid: Int

    public init(name: String, uid: Int, gid: Int) {
        self.name = name
        self.uid = uid
        self.gid = gid
    }

    /// `libvirt-qemu (64055:107)`.
    public var description: String { "\(name) (\(uid):\(gid))" }
}

/// An inclusive range of TCP ports.
public struct PortRange: Sendable, Codable, Equatable, CustomStringConvertible {
    public var first: Int
    public var last: Int

    public init(_ first: Int, _ last: Int) {
        self.first = first
        self.last = last
    }

    public func contains(_ other: PortRange) -> Bool { first <= other.first && other.last <= last }
    public var description: String { "\(first)-\(last)" }
}

public struct MigrationAddressFacts: Sendable, Codable, Equatable {
    public var hostname: String
    /// What the host name resolves to on this host, in resolver order; empty when it does not.
    public var resolved: [String]
    /// qemu.conf's `migration_host` (what libvirt tells the source to connect to).
    public var migrationHost: String?
    /// qemu.conf's `migration_address` (where the incoming qemu listens).
    public var listenAddress: String?

    public init(hostname: String, resolved: [String], migrationHost: String? = nil, listenAddress: String? = nil) {
        self.hostname = hostname
        self.resolved = resolved
        self.migrationHost = migrationHost
        self.listenAddress = listenAddress
    }
}
