/// What a client-side command (`iscsi …`, `multipath setup`, `mount`) did on one host: its
/// steps, and why it stopped (nil: it did not).
public struct HostStepReport: Sendable, Encodable {
    public let host: String
    public let steps: [HostStep]
    public let error: String?

    public init(host: String, steps: [HostStep], error: String?) {
        self.host = host
        self.steps = steps
        self.error = error
    }
}
