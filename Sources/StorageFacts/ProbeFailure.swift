/// A probe's failure as facts carry it and `storagekit probe --json` prints it: what kind, and
/// the words for an admin.
public struct ProbeFailure: Sendable, Codable, Equatable {
    /// Stable in JSON (`timeout`, `connection-refused`…); rules choose a fix by it.
    public enum Code: String, Sendable, Codable, Equatable {
        case invalidURL = "invalid-url"
        case noContext = "no-context"
        case connectionRefused = "connection-refused"
        case unreachable
        /// Nothing answered before the deadline: a firewall dropping the port, a host down, or
        /// a hung daemon.
        case timeout
        case authFailed = "auth-failed"
        case notInACL = "not-in-acl"
        case loginRejected = "login-rejected"
        case noTargets = "no-targets"
        case iscsiError = "iscsi-error"
        case nfsError = "nfs-error"
        case mountDenied = "mount-denied"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
