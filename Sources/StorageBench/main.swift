import Foundation
import StorageProbe
import StorageSystem

// storagekit-bench iscsi PORTAL TARGET INITIATOR LUNS ROUNDS
// Run inside a lab host (bench/probe does): compares storagekit's in-process libiscsi probe
// with the real alternative, one `iscsi-inq` process, and 32 concurrent probes with one.

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

let arguments = CommandLine.arguments
guard arguments.count == 7, arguments[1] == "iscsi", let lunCount = Int(arguments[5]), let rounds = Int(arguments[6]) else {
    FileHandle.standardError.write(Data("usage: storagekit-bench iscsi PORTAL TARGET INITIATOR LUNS ROUNDS\n".utf8))
    exit(2)
}
let (portal, target, initiator) = (arguments[2], arguments[3], arguments[4])
let clock = ContinuousClock()

func probe(_ lun: Int) async throws {
    _ = try await ISCSIProber.probe(ISCSIProbeRequest(portal: portal, target: target, lun: lun, initiatorName: initiator, timeout: .seconds(10)))
}

// The alternative: one iscsi-inq process (login, standard INQUIRY, logout), as admins and
// scripts run it.
var inq: [Double] = []
for _ in 0..<rounds {
    let elapsed = try await clock.measure {
        let result = try await SubprocessRunner().run(Command("iscsi-inq", ["-i", initiator, "iscsi://\(portal)/\(target)/1"]))
        guard result.succeeded else { fatalError("iscsi-inq failed: \(result.stderr)") }
    }
    inq.append(elapsed.milliseconds)
}

// One storagekit probe of one LUN: login, INQUIRY, VPD 0x80 and 0x83, READ CAPACITY(16), TEST UNIT READY, logout.
var one: [Double] = []
for _ in 0..<rounds {
    one.append(try await clock.measure { try await probe(1) }.milliseconds)
}

// All LUNs of the target at once: one session, every command of every LUN queued together.
var many: [Double] = []
for _ in 0..<rounds {
    many.append(try await clock.measure {
        let result = try await ISCSIProber.probe(ISCSIProbeRequest(portal: portal, target: target, initiatorName: initiator, timeout: .seconds(10)))
        guard result.targets.first?.luns.count == lunCount else { fatalError("expected \(lunCount) LUNs") }
    }.milliseconds)
}

// The same LUNs as separate probes, each with its own session, context and thread.
var separate: [Double] = []
for _ in 0..<rounds {
    separate.append(try await clock.measure {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lun in 1...lunCount { group.addTask { try await probe(lun) } }
            try await group.waitForAll()
        }
    }.milliseconds)
}

let (inqMs, oneMs, manyMs, separateMs) = (median(inq), median(one), median(many), median(separate))
print(String(format: "iscsi-inq process, 1 LUN:                 %7.2f ms (median of %d)", inqMs, rounds))
print(String(format: "storagekit probe, 1 LUN:                  %7.2f ms", oneMs))
print(String(format: "storagekit probe, %d LUNs, one session:   %7.2f ms", lunCount, manyMs))
print(String(format: "storagekit probes, %d sessions at once:   %7.2f ms", lunCount, separateMs))
print(String(format: "ratio probe / iscsi-inq:                   %.2f  (goal ≤ 1.2)", oneMs / inqMs))
print(String(format: "ratio %d LUNs / 1 LUN:                     %.2f  (goal ≤ 3)", lunCount, manyMs / oneMs))
print(String(format: "ratio %d LUNs / 1 iscsi-inq process:        %.2f", lunCount, manyMs / inqMs))
print(String(format: "ratio %d sessions / 1 LUN:                 %.2f", lunCount, separateMs / oneMs))
