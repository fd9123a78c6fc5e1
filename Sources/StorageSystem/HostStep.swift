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

extension SystemError {
    /// Such a command stopped: what it had done (`steps`, kept on the error), and why it stopped.
    public static func stopped(steps: [HostStep], reason: String) -> SystemError {
        SystemError(.stepFailed, reason, reason: reason, steps: steps)
    }
}
