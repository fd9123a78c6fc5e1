/// DRBD's connection state (`cstate`): 8.x /proc/drbd `cs:` and 9's `connection:`.
public enum DRBDConnectionState: ToolWord {
    case connected, standAlone, connecting, wfConnection, unconnected, networkFailure, disconnecting, timeout, brokenPipe
    case other(String)

    public static let known: [Self] = [.connected, .standAlone, .connecting, .wfConnection, .unconnected, .networkFailure, .disconnecting, .timeout, .brokenPipe]
    public var rawValue: String {
        switch self {
        case .connected: "Connected"
        case .standAlone: "StandAlone"
        case .connecting: "Connecting"
        case .wfConnection: "WFConnection"
        case .unconnected: "Unconnected"
        case .networkFailure: "NetworkFailure"
        case .disconnecting: "Disconnecting"
        case .timeout: "Timeout"
        case .brokenPipe: "BrokenPipe"
        case .other(let word): word
        }
    }
}

/// DRBD's replication state while connected (`Established`, `SyncSource`…; 8.x folds it into
/// `cs:`).
public enum DRBDReplicationState: ToolWord {
    case established, syncSource, syncTarget, pausedSyncS, pausedSyncT, startingSyncS, startingSyncT, wfBitMapS, wfBitMapT, wfSyncUUID
    case verifyS, verifyT, ahead, behind, off
    case other(String)

    public static let known: [Self] = [
        .established, .syncSource, .syncTarget, .pausedSyncS, .pausedSyncT, .startingSyncS, .startingSyncT, .wfBitMapS, .wfBitMapT, .wfSyncUUID,
        .verifyS, .verifyT, .ahead, .behind, .off,
    ]
    public var rawValue: String {
        switch self {
        case .established: "Established"
        case .syncSource: "SyncSource"
        case .syncTarget: "SyncTarget"
        case .pausedSyncS: "PausedSyncS"
        case .pausedSyncT: "PausedSyncT"
        case .startingSyncS: "StartingSyncS"
        case .startingSyncT: "StartingSyncT"
        case .wfBitMapS: "WFBitMapS"
        case .wfBitMapT: "WFBitMapT"
        case .wfSyncUUID: "WFSyncUUID"
        case .verifyS: "VerifyS"
        case .verifyT: "VerifyT"
        case .ahead: "Ahead"
        case .behind: "Behind"
        case .off: "Off"
        case .other(let word): word
        }
    }

    /// A resync runs, is about to, or is paused: the disks are not yet the same.
    public var isResync: Bool {
        switch self {
        case .syncSource, .syncTarget, .pausedSyncS, .pausedSyncT, .startingSyncS, .startingSyncT, .wfBitMapS, .wfBitMapT, .wfSyncUUID: true
        default: false
        }
    }

    public var isPaused: Bool { self == .pausedSyncS || self == .pausedSyncT }
}

/// A DRBD node's role.
public enum DRBDRole: ToolWord {
    case primary, secondary, unknown
    case other(String)

    public static let known: [Self] = [.primary, .secondary, .unknown]
    public var rawValue: String {
        switch self {
        case .primary: "Primary"
        case .secondary: "Secondary"
        case .unknown: "Unknown"
        case .other(let word): word
        }
    }
}

/// A DRBD disk state (`ds:` in 8.x, `disk:`/`peer-disk:` in 9).
public enum DRBDDiskState: ToolWord {
    case upToDate, inconsistent, outdated, diskless, dUnknown, consistent, attaching, detaching, failed, negotiating
    case other(String)

    public static let known: [Self] = [.upToDate, .inconsistent, .outdated, .diskless, .dUnknown, .consistent, .attaching, .detaching, .failed, .negotiating]
    public var rawValue: String {
        switch self {
        case .upToDate: "UpToDate"
        case .inconsistent: "Inconsistent"
        case .outdated: "Outdated"
        case .diskless: "Diskless"
        case .dUnknown: "DUnknown"
        case .consistent: "Consistent"
        case .attaching: "Attaching"
        case .detaching: "Detaching"
        case .failed: "Failed"
        case .negotiating: "Negotiating"
        case .other(let word): word
        }
    }
}
