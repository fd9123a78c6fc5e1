import StorageModel

/// What `rehearse` asks of one host's `storagekit canary-vm --session`: one JSON object per line,
/// answered with one `CanaryVMReply` line each. A session serves one side of one rehearsal;
/// when its standard input closes (or it is interrupted) it stops its VM and removes the image
/// it made.
public struct CanaryVMRequest: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// Source: create the canary image (shared directory), start the VM paused (running with
        /// `live`) as qemu's account.
        case start
        /// Destination: start the same VM waiting for the migration on `listen`.
        case incoming
        /// Source: migrate to `uri` and wait for the end.
        case migrate
        /// Destination: resume the migrated VM and tell what it has open.
        case takeOver
        /// Stop the VM and remove what this session made.
        case end
    }

    public var action: Action
    /// Unique per rehearsal: names the canary image and the VM's private directory.
    public var id: String
    public var storage: RehearsalStorage?
    /// incoming: the destination's address to listen on.
    public var listen: String?
    /// incoming: the source's concrete machine type (the `q35` alias resolved there).
    public var machine: String?
    /// migrate: `tcp:ADDRESS:PORT`.
    public var uri: String?
    public var live: Bool?
    /// How long the action may take.
    public var timeoutMs: Int

    public init(_ action: Action, id: String, storage: RehearsalStorage? = nil, listen: String? = nil, machine: String? = nil, uri: String? = nil, live: Bool? = nil, timeoutMs: Int) {
        self.action = action
        self.id = id
        self.storage = storage
        self.listen = listen
        self.machine = machine
        self.uri = uri
        self.live = live
        self.timeoutMs = timeoutMs
    }
}

public struct CanaryVMReply: Sendable, Codable, Equatable {
    public var ok: Bool
    /// Why not: qemu's own words where it said something.
    public var error: String?
    /// The account qemu ran as, `libvirt-qemu (64055:64055)` or `root (…why…)`.
    public var account: String?
    /// start: the VM's concrete machine type.
    public var machine: String?
    /// incoming: the port the destination listens on.
    public var port: Int?
    /// The VM's run state after the action (`prelaunch`, `running`, `postmigrate`, …).
    public var status: String?
    /// migrate: qemu's migration status (`completed`, `failed`, `setup`, …).
    public var migration: String?
    /// takeOver: the file the VM's disk has open.
    public var disk: String?
    /// takeOver: whether that disk is read-only.
    public var readOnly: Bool?
    /// end: what could not be cleaned up (empty: nothing left).
    public var leftBehind: [String]?
    public var elapsedMs: Double?

    public init(ok: Bool, error: String? = nil) {
        self.ok = ok
        self.error = error
    }
}
