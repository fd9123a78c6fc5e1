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
