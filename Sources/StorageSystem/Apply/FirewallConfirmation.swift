import StorageModel

/// Whether new firewall rules come back out by themselves unless `firewall confirm` runs.
public enum FirewallConfirmation: Sendable, Equatable {
    case off
    /// `--confirm-within` as given; nil: 60 s on ssh hosts, off on the others.
    case within(seconds: Int?)

    /// On ssh a wrong rule can cut the connection that would fix it: a timer by default there.
    public func delay(on host: Host) -> Duration? {
        guard case .within(let seconds) = self else { return nil }
        let value = seconds ?? (host.transport == .ssh ? 60 : 0)
        return value > 0 ? .seconds(value) : nil
    }
}
