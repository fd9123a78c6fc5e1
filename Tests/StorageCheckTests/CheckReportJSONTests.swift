import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import Testing

/// `check --json` is read by scripts and bench/ (`phasesMs.facts`, `stepsMs.migrate`): typed keys
/// must still be a JSON object keyed by their names, never Swift's array of alternating keys
/// and values.
@Suite struct CheckReportJSONTests {
    @Test func phasesAreAnObjectKeyedByPhaseName() throws {
        let report = CheckReport(findings: [], durationMs: 12, phasesMs: [.facts: 10, .canaryReads: 1.5, .slowestHost: 8])
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        let phases = try #require(json["phasesMs"] as? [String: Double], "phasesMs is \(String(describing: json["phasesMs"]))")
        #expect(phases == ["facts": 10, "canaryReads": 1.5, "slowestHost": 8])
        #expect(try JSONDecoder().decode(CheckReport.self, from: JSONEncoder().encode(report)) == report)
    }

    @Test func rehearsalStepsAreAnObjectKeyedByStepName() throws {
        var result = RehearsalResult(pair: RehearsalPair(source: "hv1", destination: "hv2", storage: .directory("/var/lib/vmstore")))
        result.stepsMs = [.migrate: 260, .takeOver: 4]
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any])
        #expect(json["stepsMs"] as? [String: Double] == ["migrate": 260, "take-over": 4])
    }
}
