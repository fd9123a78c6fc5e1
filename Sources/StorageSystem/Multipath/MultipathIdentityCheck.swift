import StorageFacts
import StorageModel

/// What a hypervisor saw of one LUN through one portal (from its pre-flight probe).
public struct SeenLUN: Sendable, Equatable {
    public var target: String
    public var portal: String
    public var lun: Int
    public var serial: String
    public var wwid: String?

    public init(target: String, portal: String, lun: Int, serial: String, wwid: String?) {
        self.target = target
        self.portal = portal
        self.lun = lun
        self.serial = serial
        self.wwid = wwid
    }
}

/// Before multipath is told anything: each LUN shows one identity through every portal, no two
/// LUNs share one (tgtd's defaults make LUNs of different servers identical, and multipath
/// would merge them into one device), and it is the identity the spec fixed.
public enum MultipathIdentityCheck {
    public static func problems(_ seen: [SeenLUN], spec: ClusterSpec) -> [String] {
        var problems: [String] = []
        let byLUN = Dictionary(grouping: seen) { "\($0.target)/\($0.lun)" }
        for key in byLUN.keys.sorted() {
            let views = byLUN[key] ?? []
            let wwids = Set(views.map { $0.wwid ?? "none" })
            if wwids.count > 1 {
                problems.append("\(key) shows different WWIDs through its portals (\(views.map { "\($0.portal): \($0.wwid ?? "none")" }.joined(separator: ", "))): multipath would not join its paths")
            }
        }
        var serialOwners: [String: String] = [:]
        for view in seen where !view.serial.isEmpty {
            let key = "\(view.target)/\(view.lun)"
            if let other = serialOwners[view.serial], other != key {
                problems.append("\(key) and \(other) have the same serial \(view.serial)\(view.serial.hasPrefix("beaf") ? " (tgtd's default)" : ""): tools that go by serial would take them for one disk. `storagekit setup iscsi-target` sets scsi_sn from the spec")
            }
            serialOwners[view.serial] = key
        }
        var owners: [String: String] = [:]
        for view in seen {
            let key = "\(view.target)/\(view.lun)"
            if let wwid = view.wwid {
                if let other = owners[wwid], other != key {
                    problems.append("\(key) and \(other) have the same WWID \(wwid): multipath would merge two different disks. Give every LUN its own identity: `storagekit setup iscsi-target` sets scsi_id and scsi_sn from the spec")
                }
                owners[wwid] = key
            } else {
                problems.append("\(key) through \(view.portal) reports no NAA designator in VPD 0x83: multipath cannot name it; set its scsi_id (`storagekit setup iscsi-target`)")
            }
        }
        for (target, lun) in spec.iscsi?.allLUNs ?? [] {
            let expected = spec.identity(of: target, lun).wwid
            for view in seen where view.target == target.iqn && view.lun == lun.lun {
                if let wwid = view.wwid, wwid != expected {
                    problems.append("\(target.iqn)/\(lun.lun) through \(view.portal) has WWID \(wwid), the spec expects \(expected): run `storagekit setup iscsi-target` on \(target.server) (with --force if initiators are logged in)")
                }
            }
        }
        var unique: [String] = []
        for problem in problems where !unique.contains(problem) { unique.append(problem) }
        return unique
    }
}
