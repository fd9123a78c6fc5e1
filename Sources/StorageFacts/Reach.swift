/// A TCP connect's outcome: `refused` means reachable with nothing listening, `timeout` a
/// firewall dropping the port (or the host is down).
public enum Reach: String, Sendable, Codable, Equatable {
    case open, refused, timeout, unreachable

    /// Dropped or unroutable: something between the hosts keeps the connection from happening.
    public var isFiltered: Bool { self == .timeout || self == .unreachable }
}
