import StorageFacts
import StorageModel

/// One change to live tgtd state, as a tgtadm call.
public enum TgtOperation: Sendable, Equatable {
    case newTarget(tid: Int, iqn: String)
    case newLUN(tid: Int, lun: Int, backingStore: String)
    case setLUNIdentity(tid: Int, lun: Int, scsiID: String, serial: String)
    case deleteLUN(tid: Int, lun: Int)
    case bindAddress(tid: Int, String)
    case unbindAddress(tid: Int, String)
    case bindName(tid: Int, String)
    case unbindName(tid: Int, String)
    /// The secret is filled in at apply time from its file; never part of a plan.
    case newAccount(user: String, secretFile: String)
    case bindAccount(tid: Int, user: String)
    /// tgtd listens on 0.0.0.0:3260 and [::]:3260 by default; other ports need a portal.
    case newPortal(address: String, port: Int)

    public var summary: String {
        switch self {
        case .newPortal(let address, let port): "listen on portal \(address):\(port)"
        case .newTarget(let tid, let iqn): "create target \(iqn) (tid \(tid))"
        case .newLUN(let tid, let lun, let path): "add LUN \(lun) of tid \(tid) backed by \(path)"
        case .setLUNIdentity(let tid, let lun, let id, let serial): "set LUN \(lun) of tid \(tid) identity: scsi_id \(id), serial \(serial)"
        case .deleteLUN(let tid, let lun): "remove LUN \(lun) of tid \(tid)"
        case .bindAddress(let tid, let address): "allow \(address) on tid \(tid)"
        case .unbindAddress(let tid, let address): "stop allowing \(address) on tid \(tid)"
        case .bindName(let tid, let name): "allow initiator \(name) on tid \(tid)"
        case .unbindName(let tid, let name): "stop allowing initiator \(name) on tid \(tid)"
        case .newAccount(let user, let file): "create CHAP account \(user) (secret from \(file))"
        case .bindAccount(let tid, let user): "require CHAP account \(user) on tid \(tid)"
        }
    }

    /// tgtadm's argv (`secret` only for `newAccount`; the runner shows it as ********).
    public func command(secret: String? = nil) -> Command {
        var arguments = ["--lld", "iscsi"]
        switch self {
        case .newPortal(let address, let port): arguments += ["--mode", "portal", "--op", "new", "--param", "portal=\(address):\(port)"]
        case .newTarget(let tid, let iqn): arguments += ["--mode", "target", "--op", "new", "--tid", "\(tid)", "--targetname", iqn]
        case .newLUN(let tid, let lun, let path):
            arguments += ["--mode", "logicalunit", "--op", "new", "--tid", "\(tid)", "--lun", "\(lun)", "--backing-store", path]
        case .setLUNIdentity(let tid, let lun, let id, let serial):
            arguments += ["--mode", "logicalunit", "--op", "update", "--tid", "\(tid)", "--lun", "\(lun)", "--params", "scsi_id=\(id),scsi_sn=\(serial)"]
        case .deleteLUN(let tid, let lun): arguments += ["--mode", "logicalunit", "--op", "delete", "--tid", "\(tid)", "--lun", "\(lun)"]
        case .bindAddress(let tid, let address): arguments += ["--mode", "target", "--op", "bind", "--tid", "\(tid)", "--initiator-address", address]
        case .unbindAddress(let tid, let address): arguments += ["--mode", "target", "--op", "unbind", "--tid", "\(tid)", "--initiator-address", address]
        case .bindName(let tid, let name): arguments += ["--mode", "target", "--op", "bind", "--tid", "\(tid)", "--initiator-name", name]
        case .unbindName(let tid, let name): arguments += ["--mode", "target", "--op", "unbind", "--tid", "\(tid)", "--initiator-name", name]
        case .newAccount(let user, _): arguments += ["--mode", "account", "--op", "new", "--user", user, "--password", secret ?? ""]
        case .bindAccount(let tid, let user): arguments += ["--mode", "account", "--op", "bind", "--tid", "\(tid)", "--user", user]
        }
        var command = Command("tgtadm", arguments, timeout: .seconds(30))
        if let secret, !secret.isEmpty { command.redacted = [secret] }
        return command
    }
}

/// A change that would disturb connected initiators: refused unless forced.
public struct TargetConflict: Sendable, Equatable, CustomStringConvertible {
    public var iqn: String
    public var change: String
    public var initiators: [String]

    public var description: String {
        "\(iqn): \(change) while \(initiators.joined(separator: ", ")) \(initiators.count == 1 ? "is" : "are") logged in; "
            + "log them out first (or rerun with --force to change it under them)"
    }
}

/// The tgtadm calls that turn live tgtd state into the desired one, and only those. Targets
/// that are not in the spec are never touched (another tool may own them).
public enum TgtReconciler {
    public struct Result: Sendable, Equatable {
        public var operations: [TgtOperation]
        public var conflicts: [TargetConflict]
        /// Live targets storagekit leaves alone.
        public var unmanaged: [String]
    }

    static func desiredPortals(_ desired: [TgtDesiredTarget]) -> [Portal] {
        var seen = Set<Portal>()
        return desired.flatMap(\.portals).filter { seen.insert($0).inserted }
    }

    static func covered(_ portal: Portal, by live: [Portal]) -> Bool {
        live.contains { $0.port == portal.port && ($0.address == portal.address || $0.address == "0.0.0.0") }
    }

    /// Whether one ACL entry as tgtadm lists it (an initiator name, an address, a network in CIDR
    /// form, or `ALL`) admits `session`, matched the way tgtd does: never by string prefix, or
    /// dropping 10.96.12.1 would look like it locks out 10.96.12.11.
    static func aclEntry(_ entry: String, admits session: TgtLiveTarget.Session) -> Bool {
        if entry == "ALL" || session.initiator == entry { return true }
        if let network = IPv4Network(entry) {
            return session.addresses.compactMap(IPv4Address.init).contains(where: network.contains)
        }
        return session.addresses.contains(entry)
    }

    public static func reconcile(desired: [TgtDesiredTarget], live: [TgtLiveTarget], accounts: [String], portals: [Portal] = [Portal(address: "0.0.0.0", port: Portal.defaultPort)]) -> Result {
        var operations: [TgtOperation] = []
        var conflicts: [TargetConflict] = []
        var nextTid = (live.map(\.tid).max() ?? 0) + 1
        var knownAccounts = Set(accounts)

        for target in desired {
            let current = live.first { $0.iqn == target.iqn }
            let tid: Int
            if let current {
                tid = current.tid
            } else {
                tid = nextTid
                nextTid += 1
                operations.append(.newTarget(tid: tid, iqn: target.iqn))
            }
            let connected = current.map { Array(Set($0.sessions.map(\.initiator))).sorted() } ?? []
            var risky: [(String, [TgtOperation])] = []

            for lun in target.luns {
                guard let existing = current?.luns.first(where: { $0.lun == lun.lun }) else {
                    operations += [.newLUN(tid: tid, lun: lun.lun, backingStore: lun.backingStore),
                                   .setLUNIdentity(tid: tid, lun: lun.lun, scsiID: lun.scsiID, serial: lun.serial)]
                    continue
                }
                if existing.backingStorePath != lun.backingStore {
                    risky.append(("LUN \(lun.lun) moves from \(existing.backingStorePath ?? "nothing") to \(lun.backingStore)", [
                        .deleteLUN(tid: tid, lun: lun.lun), .newLUN(tid: tid, lun: lun.lun, backingStore: lun.backingStore),
                        .setLUNIdentity(tid: tid, lun: lun.lun, scsiID: lun.scsiID, serial: lun.serial),
                    ]))
                } else if existing.scsiID != lun.scsiID || existing.serial != lun.serial {
                    var changes: [String] = []
                    if existing.serial != lun.serial { changes.append("serial \(existing.serial) → \(lun.serial)") }
                    if existing.scsiID != lun.scsiID { changes.append("scsi_id \(existing.scsiID) → \(lun.scsiID)") }
                    risky.append(("LUN \(lun.lun) identity changes (\(changes.joined(separator: ", ")))",
                        [.setLUNIdentity(tid: tid, lun: lun.lun, scsiID: lun.scsiID, serial: lun.serial)]))
                }
            }
            for extra in current?.luns ?? [] where !target.luns.contains(where: { $0.lun == extra.lun }) {
                risky.append(("LUN \(extra.lun) (\(extra.backingStorePath ?? "no backing store")) is removed", [.deleteLUN(tid: tid, lun: extra.lun)]))
            }

            let liveACL = Set(current?.acl ?? [])
            for address in target.initiatorAddresses where !liveACL.contains(address) { operations.append(.bindAddress(tid: tid, address)) }
            for name in target.initiatorNames where !liveACL.contains(name) { operations.append(.bindName(tid: tid, name)) }
            let wanted = Set(target.initiatorAddresses + target.initiatorNames)
            for entry in (current?.acl ?? []) where !wanted.contains(entry) {
                let isName = entry.hasPrefix("iqn.") || entry.hasPrefix("eui.") || entry.hasPrefix("naa.")
                let operation: TgtOperation = isName ? .unbindName(tid: tid, entry) : .unbindAddress(tid: tid, entry)
                let affected = current?.sessions.filter { aclEntry(entry, admits: $0) }.map(\.initiator) ?? []
                if affected.isEmpty { operations.append(operation) } else { risky.append(("\(entry) is no longer allowed", [operation])) }
            }

            if let user = target.chapUser, let file = target.chapSecretFile {
                if !knownAccounts.contains(user) {
                    operations.append(.newAccount(user: user, secretFile: file))
                    knownAccounts.insert(user)
                }
                if !(current?.accounts.contains { $0 == user || $0.hasPrefix(user + " ") } ?? false) {
                    operations.append(.bindAccount(tid: tid, user: user))
                }
            }

            for (change, changeOperations) in risky {
                if connected.isEmpty {
                    operations += changeOperations
                } else {
                    conflicts.append(TargetConflict(iqn: target.iqn, change: change, initiators: connected))
                    operations += changeOperations
                }
            }
        }
        let desiredIQNs = Set(desired.map(\.iqn))
        for portal in desiredPortals(desired) where !covered(portal, by: portals) {
            operations.append(.newPortal(address: portal.address, port: portal.port))
        }
        return Result(operations: operations, conflicts: conflicts, unmanaged: live.map(\.iqn).filter { !desiredIQNs.contains($0) })
    }
}
