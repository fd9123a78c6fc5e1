import CLibISCSI
import Foundation

/// What to probe: a portal, optionally one target, as one initiator, with optional CHAP.
public struct ISCSIProbeRequest: Sendable {
    public var portal: String
    public var target: String?
    public var initiatorName: String
    public var chapUser: String?
    public var chapSecret: String?
    public var timeout: Duration

    public init(portal: String, target: String? = nil, initiatorName: String, chapUser: String? = nil, chapSecret: String? = nil, timeout: Duration = .seconds(5)) {
        self.portal = portal
        self.target = target
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

public struct ProbedLUN: Sendable, Equatable, Codable {
    public var lun: Int
    public var serial: String
    /// What multipath and `scsi_id` call the device: `3` + the NAA designator of VPD 0x83.
    public var wwid: String?
    public var sizeBytes: UInt64
    public var blockSize: Int
    public var vendor: String
    public var product: String
    public var ready: Bool
}

public struct ProbedTarget: Sendable, Equatable, Codable {
    public var iqn: String
    public var portals: [String]
    public var luns: [ProbedLUN]
}

public struct ISCSIProbeResult: Sendable, Codable {
    public var portal: String
    public var targets: [ProbedTarget]
    /// Milliseconds per step (`connect`, `discovery`, `login <iqn>`, `lun <iqn>/<n>`…).
    public var timingsMs: [String: Double]
}

/// Protocol-level iSCSI probe with libiscsi: TCP connect, SendTargets, login (CHAP when given),
/// REPORT LUNS, standard INQUIRY, VPD 0x80 and 0x83, READ CAPACITY(16), TEST UNIT READY, logout.
/// Each probe runs on its own thread with its own context (libiscsi is not thread-safe), so
/// dozens run at once without blocking Swift's cooperative pool.
public enum ISCSIProber {
    public static func probe(_ request: ISCSIProbeRequest) async throws(ProbeError) -> ISCSIProbeResult {
        let outcome: Result<ISCSIProbeResult, ProbeError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: .success(try probeBlocking(request))) } catch let error as ProbeError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(.iscsi(portal: request.portal, step: "probe", message: "\(error)")))
                }
            }
            thread.start()
        }
        return try outcome.get()
    }

    static func probeBlocking(_ request: ISCSIProbeRequest) throws(ProbeError) -> ISCSIProbeResult {
        let deadline = ContinuousClock.now + request.timeout
        var timings: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws(ProbeError) -> T) throws(ProbeError) -> T {
            let start = ContinuousClock.now
            defer {
                let elapsed = ContinuousClock.now - start
                timings[name] = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            }
            return try body()
        }
        let (host, port) = request.address
        let portal = "\(host):\(port)"
        switch try timed("tcp", { () throws(ProbeError) in TCPProbe.connect(host, port: port, timeout: max(deadline - ContinuousClock.now, .milliseconds(1))) }) {
        case .open: break
        case .refused: throw .connectionRefused(portal: portal)
        case .timeout: throw .timeout(portal: portal, step: "TCP connect")
        case .unreachable(let reason): throw .unreachable(portal: portal, reason: reason)
        }

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
            let luns = try timed("report luns \(iqn)") { () throws(ProbeError) in try reportLUNs(session, deadline) }
            var probed: [ProbedLUN] = []
            for lun in luns {
                if let result = try timed("lun \(iqn)/\(lun)", { () throws(ProbeError) in try probeLUN(session, lun, deadline) }) { probed.append(result) }
            }
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

    /// A disk LUN's identity and size; nil for tgtd's controller LUN and other non-disks.
    static func probeLUN(_ session: ISCSISession, _ lun: Int, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> ProbedLUN? {
        let lun32 = Int32(lun)
        let standard = try session.scsi(step: "INQUIRY of LUN \(lun)", deadline: deadline, { context, callback, data in
            iscsi_inquiry_task(context, lun32, 0, 0, 255, callback, data)
        }, read: { task -> (type: UInt32, vendor: String, product: String)? in
            guard let raw = scsi_datain_unmarshall(task) else { return nil }
            let inquiry = raw.assumingMemoryBound(to: scsi_inquiry_standard.self).pointee
            return (inquiry.device_type.rawValue, text(inquiry.vendor_identification), text(inquiry.product_identification))
        })
        guard let standard, standard.type == SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS.rawValue else { return nil }
        let serial = try session.scsi(step: "VPD 0x80 of LUN \(lun)", deadline: deadline, { context, callback, data in
            iscsi_inquiry_task(context, lun32, 1, Int32(SCSI_INQUIRY_PAGECODE_UNIT_SERIAL_NUMBER.rawValue), 255, callback, data)
        }, read: { task -> String in
            guard let raw = scsi_datain_unmarshall(task), let usn = raw.assumingMemoryBound(to: scsi_inquiry_unit_serial_number.self).pointee.usn else { return "" }
            return String(cString: usn).trimmingCharacters(in: .whitespaces)
        })
        let wwid = try session.scsi(step: "VPD 0x83 of LUN \(lun)", deadline: deadline, { context, callback, data in
            iscsi_inquiry_task(context, lun32, 1, Int32(SCSI_INQUIRY_PAGECODE_DEVICE_IDENTIFICATION.rawValue), 255, callback, data)
        }, read: { task -> String? in
            guard let raw = scsi_datain_unmarshall(task) else { return nil }
            var designator = raw.assumingMemoryBound(to: scsi_inquiry_device_identification.self).pointee.designators
            while let current = designator {
                let value = current.pointee
                // NAA-6 (registered extended, 16 bytes) is what udev/multipath prefer.
                if value.designator_type == SCSI_DESIGNATOR_TYPE_NAA, value.designator_length == 16, let bytes = value.designator {
                    return "3" + (0..<16).map { String(format: "%02x", UInt8(bitPattern: bytes[$0])) }.joined()
                }
                designator = value.next
            }
            return nil
        })
        let capacity = try session.scsi(step: "READ CAPACITY(16) of LUN \(lun)", deadline: deadline, { context, callback, data in
            iscsi_readcapacity16_task(context, lun32, callback, data)
        }, read: { task -> (UInt64, Int) in
            guard let raw = scsi_datain_unmarshall(task) else { return (0, 0) }
            let value = raw.assumingMemoryBound(to: scsi_readcapacity16.self).pointee
            return ((value.returned_lba + 1) * UInt64(value.block_length), Int(value.block_length))
        })
        let ready = (try? session.scsi(step: "TEST UNIT READY of LUN \(lun)", deadline: deadline, { context, callback, data in
            iscsi_testunitready_task(context, lun32, callback, data)
        }, read: { _ in true })) ?? false
        return ProbedLUN(
            lun: lun, serial: serial, wwid: wwid, sizeBytes: capacity.0, blockSize: capacity.1,
            vendor: standard.vendor, product: standard.product, ready: ready)
    }

    private static func text<T>(_ tuple: T) -> String {
        string(tuple).trimmingCharacters(in: .whitespaces)
    }
}
