/// One line of what a client-side command found or did on a host (`iscsi login`, `multipath
/// setup`, `mount`).
public struct HostStep: Sendable, Codable, Equatable {
    public var ok: Bool
    public var text: String

    public init(ok: Bool, text: String) {
        self.ok = ok
        self.text = text
    }
}

/// Such a command stopped: what it had done, and why it stopped.
public struct HostStepFailure: Error, CustomStringConvertible {
    public var steps: [HostStep]
    public var reason: String
    public var description: String { reason }
}
