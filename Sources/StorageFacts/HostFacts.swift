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
