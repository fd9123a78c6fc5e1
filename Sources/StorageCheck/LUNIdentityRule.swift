import StorageFacts
import StorageModel

/// One LUN as one host saw it through one portal (INQUIRY VPD 0x80 and 0x83).
public struct LUNSighting: Sendable, Equatable {
    public var host: String
    public var target: String
    public var portal: String
    public var lun: Int
    public var serial: String
    /// nil: VPD 0x83 had no NAA designator.
    public var wwid: String?

    public init(host: String, target: String, portal: String, lun: Int, serial: String, wwid: String?) {
        self.host = host
        self.target = target
        self.portal = portal
        self.lun = lun
        self.serial = serial
        self.wwid = wwid
    }

    var identityText: String { "serial \(serial), WWID \(wwid ?? "none")" }
}

/// The one rule of LUN identity, for `check` (iscsi.lun.identity, iscsi.lun.unique) and for
/// `multipath setup` before it tells multipath anything: each LUN is one disk (one serial and
/// one WWID through every portal from every host), the one the spec fixed, and no two LUNs share
/// a serial or a WWID (tgtd's defaults make LUNs of different servers identical, and multipath
/// would merge them into one device).
public enum LUNIdentityRule {
    public enum Problem: Sendable, Equatable {
        /// Different identities through different portals or hosts: multipath would not join the paths.
        case notOneDisk(target: String, lun: Int, seen: [LUNSighting])
        /// No NAA designator: multipath cannot name the device.
        case noDesignator(target: String, lun: Int, seen: [LUNSighting])
        /// One identity everywhere, but not the one the spec renders.
        case notTheSpecs(target: String, lun: Int, seen: [LUNSighting], expected: LUNIdentity)
        /// Two or more LUNs report the same serial or WWID.
        case shared(identifier: Identifier, value: String, luns: [String], hosts: [String])
    }

    public enum Identifier: String, Sendable {
        case serial
        case wwid = "WWID"
    }

    /// A spec LUN every sighting agrees on, with the spec's identity.
    public struct Agreed: Sendable, Equatable {
        public var target: String
        public var lun: Int
        public var identity: LUNIdentity
        public var hosts: [String]
    }

    public static func evaluate(_ sightings: [LUNSighting], spec: ClusterSpec) -> (problems: [Problem], agreed: [Agreed]) {
        var problems: [Problem] = []
        var agreed: [Agreed] = []
        for (target, lun) in spec.iscsi?.allLUNs ?? [] {
            let seen = sightings.filter { $0.target == target.iqn && $0.lun == lun.lun }
            guard let first = seen.first else { continue }
            let expected = spec.identity(of: target, lun)
            if seen.contains(where: { $0.wwid == nil }) {
                problems.append(.noDesignator(target: target.iqn, lun: lun.lun, seen: seen.filter { $0.wwid == nil }))
            } else if Set(seen.map(\.identityText)).count > 1 {
                problems.append(.notOneDisk(target: target.iqn, lun: lun.lun, seen: seen))
            } else if first.serial != expected.serial || first.wwid != expected.wwid {
                problems.append(.notTheSpecs(target: target.iqn, lun: lun.lun, seen: seen, expected: expected))
            } else {
                agreed.append(Agreed(target: target.iqn, lun: lun.lun, identity: expected, hosts: Set(seen.map(\.host)).sorted()))
            }
        }
        for identifier in [Identifier.serial, .wwid] {
            var owners: [String: Set<String>] = [:]
            for sighting in sightings {
                guard let value = identifier == .serial ? sighting.serial : sighting.wwid, !value.isEmpty else { continue }
                owners[value, default: []].insert("LUN \(sighting.lun) of \(sighting.target)")
            }
            for (value, luns) in owners.sorted(by: { $0.key < $1.key }) where luns.count > 1 {
                let hosts = sightings.filter { (identifier == .serial ? $0.serial : $0.wwid) == value }.map(\.host)
                problems.append(.shared(identifier: identifier, value: value, luns: luns.sorted(), hosts: Set(hosts).sorted()))
            }
        }
        return (problems, agreed)
    }
}

extension LUNIdentityRule.Problem {
    public var hosts: [String] {
        switch self {
        case .notOneDisk(_, _, let seen), .noDesignator(_, _, let seen), .notTheSpecs(_, _, let seen, _): Set(seen.map(\.host)).sorted()
        case .shared(_, _, _, let hosts): hosts
        }
    }

    /// The spec LUN it is about, as `(target, lun)`; nil for a shared identity (several LUNs).
    public var lun: (target: String, lun: Int)? {
        switch self {
        case .notOneDisk(let target, let lun, _), .noDesignator(let target, let lun, _), .notTheSpecs(let target, let lun, _, _): (target, lun)
        case .shared: nil
        }
    }

    public var isSharing: Bool {
        if case .shared = self { return true }
        return false
    }

    public var message: String {
        switch self {
        case .notOneDisk(let target, let lun, let seen):
            let detail = seen.map { "\($0.host) via \($0.portal): \($0.identityText)" }.joined(separator: "; ")
            return "LUN \(lun) of \(target) is not one disk everywhere: \(detail)"
        case .noDesignator(let target, let lun, let seen):
            return "LUN \(lun) of \(target) reports no NAA designator in VPD 0x83 (\(seen.map { "\($0.host) via \($0.portal)" }.joined(separator: ", ")): multipath cannot name it"
        case .notTheSpecs(let target, let lun, let seen, let expected):
            return "LUN \(lun) of \(target) reports \(seen[0].identityText); the spec gives serial \(expected.serial), WWID \(expected.wwid)"
        case .shared(let identifier, let value, let luns, _):
            let tgtDefault = identifier == .serial && value.hasPrefix("beaf") ? " (tgtd's default)" : ""
            return "\(luns.joined(separator: " and ")) report the same \(identifier.rawValue) \(value)\(tgtDefault): multipath would merge them into one device"
        }
    }

    /// What fixes it, around `setupTarget` (the command that renders the target again).
    public func fix(_ setupTarget: String) -> String {
        switch self {
        case .notOneDisk: "every portal must lead to the same target: \(setupTarget)"
        case .noDesignator: "set the LUN's scsi_id: \(setupTarget)"
        case .notTheSpecs: "the target serves other identities than the rendered ones: \(setupTarget) (with --force if initiators are logged in)"
        case .shared: "give each LUN its own identity (storagekit renders scsi_sn/scsi_id per LUN): \(setupTarget)"
        }
    }
}
