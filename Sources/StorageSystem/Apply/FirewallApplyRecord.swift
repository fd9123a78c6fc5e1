import Foundation
import StorageModel

/// What the last `firewall apply` (or `apply`/`setup` with the firewall) did on a host, kept
/// there, so `firewall confirm` can tell "nothing needed confirming" from "the timer already
/// put the old rules back".
public struct FirewallApplyRecord: Sendable, Codable, Equatable {
    public static let path = "/var/lib/storagekit/firewall/last-apply.json"

    public var appliedAt: Date
    public var backend: FirewallBackend
    /// False when the rules were already current: nothing was loaded.
    public var changed: Bool
    public var confirmWithinSeconds: Int?
    public var confirmedAt: Date?

    public init(appliedAt: Date, backend: FirewallBackend, changed: Bool, confirmWithinSeconds: Int?, confirmedAt: Date? = nil) {
        self.appliedAt = appliedAt
        self.backend = backend
        self.changed = changed
        self.confirmWithinSeconds = confirmWithinSeconds
        self.confirmedAt = confirmedAt
    }

    /// What `firewall confirm` found when no rollback timer was pending.
    public enum NothingPending: Sendable, Equatable {
        case unchanged(at: Date)
        case savedAtOnce(at: Date)
        case alreadyConfirmed(at: Date)
        /// The timer fired: loud.
        case rolledBack(appliedAt: Date, after: Int, backend: FirewallBackend)
        /// No apply on record: loud.
        case noRecord
        /// A record that cannot be read (edited by hand, cut short): loud, with why.
        case unreadableRecord(String)
    }

    public var nothingPending: NothingPending {
        if !changed { return .unchanged(at: appliedAt) }
        guard let seconds = confirmWithinSeconds else { return .savedAtOnce(at: appliedAt) }
        if let confirmedAt { return .alreadyConfirmed(at: confirmedAt) }
        return .rolledBack(appliedAt: appliedAt, after: seconds, backend: backend)
    }

    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The record in `text`; throws, saying why, for text that is not one.
    public static func decoded(_ text: String) throws -> FirewallApplyRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(FirewallApplyRecord.self, from: Data(text.utf8))
    }
}

extension FirewallApplyRecord.NothingPending {
    /// 0 where the rules stand as applied; 1 where they do not (or nothing says).
    public var exitCode: Int32 {
        switch self {
        case .unchanged, .savedAtOnce, .alreadyConfirmed: 0
        case .rolledBack, .noRecord, .unreadableRecord: 1
        }
    }

    public func message(host: String) -> String {
        let format = Date.ISO8601FormatStyle()
        switch self {
        case .unchanged(let at):
            return "\(host): nothing to confirm: the last firewall apply (\(at.formatted(format))) found the rules already in place and changed nothing"
        case .savedAtOnce(let at):
            return "\(host): nothing to confirm: the last firewall apply (\(at.formatted(format))) ran without --confirm-within and saved its rules at once"
        case .alreadyConfirmed(let at):
            return "\(host): nothing to confirm: the rules were confirmed at \(at.formatted(format))"
        case .rolledBack(let applied, let after, let backend):
            let restored = switch backend {
            case .nftables: "the nftables table saved before it (\(NFTablesApplier.savedTable))"
            case .firewalld: "firewalld's policy file as it was before it (\(FirewalldApplier.savedPolicy); none: no policy) and a reload"
            case .auto, .iptables: "the iptables rules saved before it (\(FirewallApplier.savedRules))"
            }
            return "\(host): NOT confirmed: the apply of \(applied.formatted(format)) was rolled back at about \(applied.addingTimeInterval(Double(after)).formatted(format)) (not confirmed within \(after) s); \(restored) came back. Run `storagekit firewall apply` again and confirm within the time"
        case .unreadableRecord(let why):
            return "\(host): no rollback was pending, and the record of the last firewall apply (\(FirewallApplyRecord.path)) cannot be read (\(why)): run `storagekit firewall apply` again"
        case .noRecord:
            return "\(host): no rollback was pending, and no firewall apply is on record there (never applied, or by an older storagekit)"
        }
    }
}
