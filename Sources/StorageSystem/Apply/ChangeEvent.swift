import StorageModel

/// What a `ChangeRun` reports as it goes, in order, for the command to print.
public enum ChangeEvent: Sendable {
    /// A host's plan, before anything runs on it.
    case planned(HostPlan, transport: TransportKind)
    case planFailed(host: String, SystemError)
    case applied(host: String, Applier.Outcome)
    case applyFailed(host: String, SystemError)
    case verified(host: String, [VerificationLine])
    /// A long wait of the follow-up starts (its text says for what and for how long).
    case waiting(String)
    case followedUp(FollowUp)
}

/// The part of a command that spans its hosts, run once every host is planned (dry run) or
/// applied and verified without failure.
public protocol ChangeFollowUp: Sendable {
    func run(_ spec: ClusterSpec, hosts: [String], dryRun: Bool, events: @Sendable (ChangeEvent) -> Void) async -> FollowUp
}
