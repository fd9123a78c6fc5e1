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
