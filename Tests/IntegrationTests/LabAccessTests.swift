import StorageTestSupport
import Testing

/// When the lab suites run, and the reason they give when they do not.
@Suite struct LabAccessTests {
    @Test func rootMayBringALabUpAnyoneElseIsToldItNeedsRoot() {
        #expect(LabAccess.unavailable(uid: 0, environment: [:]) == nil)
        let reason = LabAccess.unavailable(uid: 65534, environment: [:])
        #expect(reason?.hasPrefix("needs root: ") == true && reason?.contains("network namespaces") == true, "\(reason ?? "nil")")
    }

    @Test func theFastRunSkipsLabsEvenForRoot() {
        #expect(LabAccess.unavailable(uid: 0, environment: [LabAccess.skipVariable: "1"])?.contains("scripts/test --fast") == true)
        #expect(LabAccess.unavailable(uid: 0, environment: [LabAccess.skipVariable: "0"]) == nil)
    }
}
