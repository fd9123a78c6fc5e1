import CLibISCSI
import Foundation
import StorageFacts

/// What to probe: a portal, optionally one target, as one initiator, with optional CHAP.
public struct ISCSIProbeRequest: Sendable {
    public var portal: String
    public var target: String?
    /// With `target`: probe only this LUN (no REPORT LUNS).
    public var lun: Int?
    public var initiatorName: String
    public var chapUser: String?
    public var chapSecret: String?
    public var timeout: Duration

    public init(
        portal: String, target: String? = nil, lun: Int? = nil, initiatorName: String, chapUser: String? = nil, chapSecret: String? = nil,
        timeout: Duration = .seconds(5)
    ) {
        self.portal = portal
        self.target = target
        self.lun = lun
        self.initiatorName = initiatorName
        self.chapUser = chapUser
        self.chapSecret = chapSecret
        self.timeout = timeout
    }

    /// `ADDR:PORT`, port 3260 when not given.
    var address: (host: String, port: Int) {
        let parts = portal.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 3260 : 3260)
    }
}

/// Protocol-level iSCSI probe with libiscsi: TCP connect, SendTargets, login (CHAP when given),
/// REPORT LUNS, standard INQUIRY with TEST UNIT READY, VPD 0x80 and 0x83, READ CAPACITY(16), logout.
/// Each probe runs on its own thread with its own context (libiscsi is not thread-safe), so
/// dozens run at once without blocking Swift's cooperative pool.
public enum ISCSIProber {
    public static func probe(_ request: ISCSIProbeRequest) async throws(ProbeError) -> ISCSIProbeResult {
        try await onOwnThread { () throws(ProbeError) in try probeBlocking(request) }
    }

    static func probeBlocking(_ request: ISCSIProbeRequest) throws(ProbeError) -> ISCSIProbeResult {
        let deadline = ContinuousClock.now + request.timeout
        var timings: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws(ProbeError) -> T) throws(ProbeError) -> T {
            let start = ContinuousClock.now
            defer {
                let elapsed = ContinuousClock.now - start
                timings[name] = elapsed.milliseconds
            }
            return try body()
        }
        let (host, port) = request.address
        let portal = "\(host):\(port)"
        try timed("tcp") { () throws(ProbeError) in try TCPProbe.require(host, port: port, timeout: deadline - ContinuousClock.now, step: "TCP connect") }

        var found: [(iqn: String, portals: [String])]
        if let target = request.target {
            found = [(target, [portal])]
        } else {
            let discovery = try ISCSISession(initiatorName: request.initiatorName, portal: portal, sessionType: ISCSI_SESSION_DISCOVERY, target: nil, chap: nil)
            try timed("discovery login") { () throws(ProbeError) in try discovery.login(step: "discovery login", deadline: deadline) }
            found = try timed("discovery") { () throws(ProbeError) in try discovery.discover(deadline: deadline) }
            discovery.logout(deadline: deadline)
            if found.isEmpty { throw .noTargets(portal: portal, initiator: request.initiatorName) }
        }

        var targets: [ProbedTarget] = []
        let chap = request.chapUser.map { ($0, request.chapSecret ?? "") }
        for (iqn, portals) in found {
            let session = try ISCSISession(initiatorName: request.initiatorName, portal: portal, sessionType: ISCSI_SESSION_NORMAL, target: iqn, chap: chap)
            try timed("login \(iqn)") { () throws(ProbeError) in try session.login(step: "login to \(iqn)", deadline: deadline) }
            var luns: [Int]
            if let lun = request.lun {
                luns = [lun]
            } else {
                luns = try timed("report luns \(iqn)") { () throws(ProbeError) in try reportLUNs(session, deadline) }
            }
            let probed = try timed("luns \(iqn)") { () throws(ProbeError) in try probeLUNs(session, luns, deadline) }
            session.logout(deadline: deadline)
            targets.append(ProbedTarget(iqn: iqn, portals: portals, luns: probed))
        }
        return ISCSIProbeResult(portal: portal, targets: targets, timingsMs: timings)
    }

    static func reportLUNs(_ session: ISCSISession, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> [Int] {
        try session.scsi(step: "REPORT LUNS", deadline: deadline, { context, callback, data in
            iscsi_reportluns_task(context, 0, 16384, callback, data)
        }, read: { task in
            guard let raw = scsi_datain_unmarshall(task) else { return [] }
            let count = Int(raw.load(as: UInt32.self))
            // struct scsi_reportluns_list { uint32_t num; uint16_t luns[]; }
            return (0..<count).map { Int(raw.load(fromByteOffset: 4 + 2 * $0, as: UInt16.self)) }
        })
    }

    /// Every disk LUN's identity and size, in two rounds of commands queued together: standard
    /// INQUIRY and TEST UNIT READY for all (tgtd's controller LUN and other non-disks drop out),
    /// then VPD 0x80, VPD 0x83 and READ CAPACITY(16) for all disks.
    static func probeLUNs(_ session: ISCSISession, _ luns: [Int], _ deadline: ContinuousClock.Instant) throws(ProbeError) -> [LUNFacts] {
        // A TEST UNIT READY beside each INQUIRY takes the LUN's UNIT ATTENTION (power on/reset
        // after login) now, so the second round needs no retry.
        let first = try session.batch(step: "INQUIRY", deadline: deadline, luns.flatMap { lun -> [ISCSISession.TaskStarter] in
            [{ context, callback, data in iscsi_inquiry_task(context, Int32(lun), 0, 0, 255, callback, data) },
             { context, callback, data in iscsi_testunitready_task(context, Int32(lun), callback, data) }]
        })
        var readyLUNs = Set<Int>()
        for (index, result) in first.enumerated() where index % 2 == 1 {
            if result.status == Int32(SCSI_STATUS_GOOD.rawValue) { readyLUNs.insert(luns[index / 2]) }
            scsi_free_scsi_task(result.task)
        }
        let inquiries = first.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        var disks: [(lun: Int, vendor: String, product: String)] = []
        for (lun, result) in zip(luns, inquiries) {
            defer { scsi_free_scsi_task(result.task) }
            guard result.status == Int32(SCSI_STATUS_GOOD.rawValue), let raw = scsi_datain_unmarshall(result.task) else {
                throw .iscsi(portal: session.portal, step: "INQUIRY of LUN \(lun)", message: "SCSI status \(result.status)")
            }
            let inquiry = raw.assumingMemoryBound(to: scsi_inquiry_standard.self).pointee
            if inquiry.device_type == SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS {
                disks.append((lun, text(inquiry.vendor_identification), text(inquiry.product_identification)))
            }
        }
        var starters: [ISCSISession.TaskStarter] = []
        for disk in disks {
            let lun = Int32(disk.lun)
            starters += [
                { context, callback, data in iscsi_inquiry_task(context, lun, 1, Int32(SCSI_INQUIRY_PAGECODE_UNIT_SERIAL_NUMBER.rawValue), 255, callback, data) },
                { context, callback, data in iscsi_inquiry_task(context, lun, 1, Int32(SCSI_INQUIRY_PAGECODE_DEVICE_IDENTIFICATION.rawValue), 255, callback, data) },
                { context, callback, data in iscsi_readcapacity16_task(context, lun, callback, data) },
            ]
        }
        let results = try session.batch(step: "VPD 0x80/0x83, READ CAPACITY(16)", deadline: deadline, starters)
        defer { for result in results { scsi_free_scsi_task(result.task) } }
        var probed: [LUNFacts] = []
        for (index, disk) in disks.enumerated() {
            let (serialTask, identityTask, capacityTask) = (results[3 * index], results[3 * index + 1], results[3 * index + 2])
            for (name, result) in [("VPD 0x80", serialTask), ("VPD 0x83", identityTask), ("READ CAPACITY(16)", capacityTask)]
            where result.status != Int32(SCSI_STATUS_GOOD.rawValue) {
                throw .iscsi(portal: session.portal, step: "\(name) of LUN \(disk.lun)", message: "SCSI status \(result.status)")
            }
            var serial = ""
            if let raw = scsi_datain_unmarshall(serialTask.task), let usn = raw.assumingMemoryBound(to: scsi_inquiry_unit_serial_number.self).pointee.usn {
                serial = String(cString: usn).trimmingCharacters(in: .whitespaces)
            }
            var size: (bytes: UInt64, block: Int) = (0, 0)
            if let raw = scsi_datain_unmarshall(capacityTask.task) {
                let value = raw.assumingMemoryBound(to: scsi_readcapacity16.self).pointee
                size = ((value.returned_lba + 1) * UInt64(value.block_length), Int(value.block_length))
            }
            probed.append(LUNFacts(
                lun: disk.lun, serial: serial, wwid: wwid(identityTask.task), sizeBytes: size.bytes, blockSize: size.block,
                vendor: disk.vendor, product: disk.product, ready: readyLUNs.contains(disk.lun)))
        }
        return probed
    }

    /// `3` + the NAA-6 designator of VPD 0x83 (16 bytes, registered extended): what udev's
    /// scsi_id and multipath call the device.
    static func wwid(_ task: UnsafeMutablePointer<scsi_task>) -> String? {
        guard let raw = scsi_datain_unmarshall(task) else { return nil }
        var designator = raw.assumingMemoryBound(to: scsi_inquiry_device_identification.self).pointee.designators
        while let current = designator {
            let value = current.pointee
            if value.designator_type == SCSI_DESIGNATOR_TYPE_NAA, value.designator_length == 16, let bytes = value.designator {
                let digits = Array("0123456789abcdef".utf8)
                var text: [UInt8] = [UInt8(ascii: "3")]
                for index in 0..<16 {
                    let byte = UInt8(bitPattern: bytes[index])
                    text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
                }
                return String(decoding: text, as: UTF8.self)
            }
            designator = value.next
        }
        return nil
    }

    private static func text<T>(_ tuple: T) -> String {
        string(tuple).trimmingCharacters(in: .whitespaces)
    }
}

extension ISCSIProber {
    /// SendTargets only: the target names the portal offers to `initiatorName` (tgtd lists only
    /// targets whose ACL admits it). No TCP connect of its own first: `check` asks this beside
    /// `probe`, whose connect already says whether the portal answers, and each connect is
    /// another one the target serves (200 hypervisors, two portals).
    public static func discover(portal: String, initiatorName: String, timeout: Duration) async throws(ProbeError) -> [String] {
        try await onOwnThread { () throws(ProbeError) in
            let deadline = ContinuousClock.now + timeout
            let (host, port) = ISCSIProbeRequest(portal: portal, initiatorName: initiatorName).address
            let session = try ISCSISession(initiatorName: initiatorName, portal: "\(host):\(port)", sessionType: ISCSI_SESSION_DISCOVERY, target: nil, chap: nil)
            try session.login(step: "discovery login", deadline: deadline)
            let found = try session.discover(deadline: deadline).map(\.iqn)
            session.logout(deadline: deadline)
            return found
        }
    }
}
