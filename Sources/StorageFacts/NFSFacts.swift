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
