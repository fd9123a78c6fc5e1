/// An open-iscsi session's state (`iSCSI Session State:` of `iscsiadm -m session -P 3`).
public enum ISCSISessionState: ToolWord {
    case loggedIn, failed, free
    case other(String)

    public static let known: [Self] = [.loggedIn, .failed, .free]
    public var rawValue: String {
        switch self {
        case .loggedIn: "LOGGED_IN"
        case .failed: "FAILED"
        case .free: "FREE"
        case .other(let word): word
        }
    }
}

/// An open-iscsi connection's state (`iSCSI Connection State:`).
public enum ISCSIConnectionState: ToolWord {
    case loggedIn, transportWait, inLogin, inLogout, logoutRequested, cleanupWait, free
    case other(String)

    public static let known: [Self] = [.loggedIn, .transportWait, .inLogin, .inLogout, .logoutRequested, .cleanupWait, .free]
    public var rawValue: String {
        switch self {
        case .loggedIn: "LOGGED IN"
        case .transportWait: "TRANSPORT WAIT"
        case .inLogin: "IN LOGIN"
        case .inLogout: "IN LOGOUT"
        case .logoutRequested: "LOGOUT REQUESTED"
        case .cleanupWait: "CLEANUP WAIT"
        case .free: "FREE"
        case .other(let word): word
        }
    }
}
