/// Whether root here reaches a peer hypervisor over ssh without a prompt (`ssh -o
/// BatchMode=yes root@PEER true`): what `virsh migrate … qemu+ssh://PEER/system` and `xl
/// migrate GUEST PEER` need when nobody is at a terminal to type a password or accept a key.
public struct SSHTrustFacts: Sendable, Codable, Equatable {
    public var peer: String
    public var outcome: SSHOutcome
    /// ssh's own last line when it failed (empty on success).
    public var said: String

    public init(peer: String, outcome: SSHOutcome, said: String = "") {
        self.peer = peer
        self.outcome = outcome
        self.said = said
    }
}

public enum SSHOutcome: String, Sendable, Codable, Equatable, CaseIterable {
    /// The command ran on the peer.
    case trusted
    /// Nothing listens on the peer's port 22 (TCP refused): ssh was not started.
    case noSSHD = "no-sshd"
    /// The connection to port 22 went unanswered or could not be routed.
    case unreachable
    /// The peer's name does not resolve here.
    case unresolved
    /// The peer's host key is not in known_hosts, and BatchMode cannot ask.
    case hostKeyUnknown = "host-key-unknown"
    /// known_hosts holds another key for the peer (reinstalled, or someone in between).
    case hostKeyChanged = "host-key-changed"
    /// The peer refused every key root offered (no key, or not in its authorized_keys).
    case keyRefused = "key-refused"
    /// Connected, but ssh did not finish within the time allowed.
    case timeout
    /// ssh is not installed here (openssh-client).
    case noClient = "no-client"
    /// Anything else ssh said.
    case failed
}
