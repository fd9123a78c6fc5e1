import StorageFacts

/// Errors of the probe layer, in words an admin understands; no C type crosses this boundary.
public enum ProbeError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case contextUnavailable(library: String)
    case connectionRefused(portal: String)
    case unreachable(portal: String, reason: String)
    /// Nothing answered before the deadline (a firewall DROP looks like this).
    case timeout(portal: String, step: String)
    /// Our own TCP connect before `step` got no answer: the port is dropped or the host is down.
    case connectTimeout(portal: String, step: String)
    /// CHAP was required and the name or secret did not match.
    case authFailed(portal: String, target: String)
    /// tgtd answers "target not found" both for a wrong IQN and for an initiator outside the ACL.
    case notInACL(portal: String, target: String, initiator: String)
    case loginRejected(portal: String, reason: String)
    /// SendTargets listed nothing: tgtd lists only the targets whose ACL admits the initiator.
    case noTargets(portal: String, initiator: String)
    case iscsi(portal: String, step: String, message: String)
    case nfs(server: String, step: String, message: String)
    /// The MOUNT service refused this client (not in the export's clients).
    case mountDenied(server: String, export: String)

    /// A failed iSCSI login, from libiscsi's message ("… Status: Authentication failure(513)");
    /// the numbers are the iSCSI login status codes (RFC 7143 11.13.5).
    static func login(_ message: String, portal: String, target: String, initiator: String) -> ProbeError {
        if message.contains("(513)") || message.contains("Authentication failure") { return .authFailed(portal: portal, target: target) }
        if message.contains("(515)") || message.contains("Target not found") || message.contains("(514)") {
            return .notInACL(portal: portal, target: target, initiator: initiator)
        }
        return .loginRejected(portal: portal, reason: message)
    }

    public var code: ProbeFailure.Code {
        switch self {
        case .invalidURL: .invalidURL
        case .contextUnavailable: .noContext
        case .connectionRefused: .connectionRefused
        case .unreachable: .unreachable
        case .timeout, .connectTimeout: .timeout
        case .authFailed: .authFailed
        case .notInACL: .notInACL
        case .loginRejected: .loginRejected
        case .noTargets: .noTargets
        case .iscsi: .iscsiError
        case .nfs: .nfsError
        case .mountDenied: .mountDenied
        }
    }

    /// What the TCP connect before the protocol found: refused, dropped or unroutable for the
    /// connect's own failures, open for any failure past it.
    public var reach: Reach {
        switch self {
        case .connectionRefused: .refused
        case .connectTimeout: .timeout
        case .unreachable: .unreachable
        default: .open
        }
    }

    /// As facts carry it.
    public var failure: ProbeFailure { ProbeFailure(code, description) }

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "\(url) is not a usable URL: \(reason)"
        case .contextUnavailable(let library):
            return "\(library) could not create a context (out of memory?)"
        case .connectionRefused(let portal):
            return "\(portal) refused the connection: nothing listens there (is tgtd running, is the portal right?)"
        case .unreachable(let portal, let reason):
            return "\(portal) is unreachable: \(reason)"
        case .connectTimeout(let portal, let step):
            return "\(portal) did not answer in time (\(step)): a firewall dropping the port, or the host is down"
        case .timeout(let portal, let step):
            if step.hasPrefix("connect") { return "\(portal) did not answer in time (\(step)): a firewall dropping the port, or the host is down" }
            // Past a connect of our own, or through a library's: a hung daemon looks the same
            // from here (the kernel still accepts on a stopped process's socket).
            return "\(portal) did not answer in time (\(step)): the host is down, a firewall drops the port, or the service is hung (a stopped or stuck daemon still accepts connections)"
        case .authFailed(let portal, let target):
            return "\(portal) rejected the CHAP credentials for \(target): check chap.username and the secret file"
        case .notInACL(let portal, let target, let initiator):
            return "\(portal) does not offer \(target) to \(initiator): the initiator is not in the target's ACL (or the IQN is wrong)"
        case .loginRejected(let portal, let reason):
            return "\(portal) rejected the login: \(reason)"
        case .noTargets(let portal, let initiator):
            return "\(portal) offers no target to \(initiator): it is in no target's ACL (or the server has no targets)"
        case .iscsi(let portal, let step, let message):
            return "\(portal): \(step) failed: \(message)"
        case .nfs(let server, let step, let message):
            return "\(server): \(step) failed: \(message)"
        case .mountDenied(let server, let export):
            return "\(server) refused to let this host mount \(export): it is not among the export's clients"
        }
    }
}
