import BenchSupport
import Foundation
import StorageFacts
import StorageProbe
import StorageSystem

/// storagekit's in-process libiscsi probe against the real alternative, one `iscsi-inq`
/// process, and all LUNs of a target at once against one, as bench rows.
struct ISCSIProbeBench {
    let portal: String
    let target: String
    let initiator: String
    let luns: Int
    let rounds: Int
    /// What serves the target, said in each row (nil: tgtd, the rows as they always read).
    var kind: String?
    let clock = ContinuousClock()

    func probe(lun: Int?) async throws {
        let result = try await ISCSIProber.probe(ISCSIProbeRequest(portal: portal, target: target, lun: lun, initiatorName: initiator, timeout: .seconds(10)))
        if lun == nil, result.targets.first?.luns.count != luns { throw BenchFailure("expected \(luns) LUNs from \(target)") }
    }

    func times(_ body: () async throws -> Void) async throws -> [Double] {
        var samples: [Double] = []
        for _ in 0..<rounds { samples.append(try await clock.measure { try await body() }.milliseconds) }
        return samples
    }

    func run() async throws -> [String] {
        // The alternative: one iscsi-inq process (login, standard INQUIRY, logout), as admins and scripts run it.
        let inq = try await times {
            let result = try await SubprocessRunner().run(Command("iscsi-inq", ["-i", initiator, "iscsi://\(portal)/\(target)/1"]))
            guard result.succeeded else { throw BenchFailure("iscsi-inq failed: \(result.stderr)") }
        }
        // One LUN: login, INQUIRY, VPD 0x80 and 0x83, READ CAPACITY(16), TEST UNIT READY, logout.
        let one = try await times { try await probe(lun: 1) }
        // Every LUN of the target in one session, every command of a round queued together.
        let all = try await times { try await probe(lun: nil) }
        func field(_ values: [Double]) -> String { values.map { String(format: "%.3f", $0) }.joined(separator: ",") }
        // tgtd's rows carry the 1.2× goal and the 32-against-one-process row; another target's
        // rows say what it is and keep the 3× goal.
        let label = kind.map { "\($0): " } ?? ""
        let rows = [
            ["probe", "\(label)one LUN: login, INQUIRY, VPD 0x80 + 0x83, READ CAPACITY(16), TEST UNIT READY, logout", "ms",
             field(one), "one iscsi-inq process (login, INQUIRY, logout)", field(inq), kind == nil ? "ratio<=1.2" : "none"],
            ["probe", "\(label)\(luns) LUNs of one target probed at once (the same commands each)", "ms",
             field(all), "storagekit, one LUN", field(one), "ratio<=3"],
        ] + (kind == nil ? [["probe", "\(luns) LUNs at once, against one iscsi-inq process of one LUN", "ms", field(all), "one iscsi-inq process", field(inq), "none"]] : [])
        return rows.map { $0.joined(separator: "\t") }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
