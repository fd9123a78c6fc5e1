import StorageModel

/// The steps of one rehearsal, in order: the one that failed names where it stopped.
public enum RehearsalStep: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    /// Reaching storagekit on the host (`canary-vm --session` over its transport).
    case connect
    /// Source: create the canary image, start the canary VM.
    case start
    /// Destination: start the VM waiting for the migration (it opens the disk here).
    case incoming
    /// Source: QMP `migrate` until `completed`.
    case migrate
    /// Destination: resume the VM (takes the disk over from the source) and show what it has open.
    case takeOver = "take-over"
    /// Both: stop the VMs, remove the canary image.
    case cleanup

    public var words: String {
        switch self {
        case .connect: "reaching storagekit"
        case .start: "starting the canary on the source"
        case .incoming: "starting the destination's VM (it opens the disk)"
        case .migrate: "migrating"
        case .takeOver: "resuming on the destination"
        case .cleanup: "cleaning up"
        }
    }
}

/// What happened in one rehearsal (`RehearsalPair`), as `rehearse --json` reports it.
public struct RehearsalResult: Sendable, Codable, Equatable {
    public var pair: RehearsalPair
    public var passed: Bool
    /// Not rehearsed, and why (a block device in the namespace lab, which has no device-mapper).
    public var skipped: String?
    /// The disk was not on the pair's storage but in this directory, which both hosts share
    /// because they run on one machine (the namespace lab): what passed is qemu, the port and
    /// the firewall, not the storage.
    public var diskStandIn: String?
    /// The step that failed and the host it failed on.
    public var failedStep: RehearsalStep?
    public var failedOn: String?
    /// The failure in the words of qemu (or of the step).
    public var error: String?
    /// The account qemu ran as on the source, and on the destination.
    public var account: String?
    public var destinationAccount: String?
    /// The destination's address and port the migration went to.
    public var uri: String?
    /// The destination after the take-over: its run state, the disk it has open.
    public var destinationStatus: String?
    public var destinationDisk: String?
    /// What could not be removed, by host.
    public var leftBehind: [String: [String]]
    /// Time per step, in milliseconds.
    public var stepsMs: [RehearsalStep: Double]
    public var totalMs: Double

    public init(pair: RehearsalPair) {
        self.pair = pair
        passed = false
        leftBehind = [:]
        stepsMs = [:]
        totalMs = 0
    }

    /// Records the first failure; later ones are consequences of it.
    public mutating func fail(_ step: RehearsalStep, on host: String?, _ error: String) {
        guard failedStep == nil else { return }
        failedStep = step
        failedOn = host
        self.error = error
    }
}
