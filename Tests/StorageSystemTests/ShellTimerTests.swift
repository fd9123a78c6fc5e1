import Foundation
import Testing
@testable import StorageSystem

/// The timer of hosts without systemd (this machine is one), run for real through the local
/// transport: it fires after its delay even though the command that set it has returned, and
/// a cancelled one never fires.
@Suite struct ShellTimerTests {
    func timer(_ file: String) -> ServiceDefinition {
        ServiceDefinition(name: "test", systemdUnit: "storagekit-test-\(UUID().uuidString.prefix(8))", foreground: ["touch", file])
    }

    @Test func firesAfterItsDelayDetachedFromItsCaller() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("storagekit-timer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let services = SystemdServiceManager(transport: LocalTransport(host: "local"))
        let timer = timer(file)
        // Delays of a few seconds: on a loaded CI machine one second can pass between two lines.
        try await services.startTimer(timer, after: .seconds(4))
        #expect(try await services.timerPending(timer))
        #expect(!FileManager.default.fileExists(atPath: file), "not before its delay")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: file) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(FileManager.default.fileExists(atPath: file), "fired")
        #expect(try await !services.timerPending(timer))
        #expect(try await !services.cancelTimer(timer), "nothing left to cancel")
    }

    @Test func aCancelledTimerNeverFires() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("storagekit-timer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let services = SystemdServiceManager(transport: LocalTransport(host: "local"))
        let timer = timer(file)
        try await services.startTimer(timer, after: .seconds(4))
        #expect(try await services.cancelTimer(timer))
        try await Task.sleep(for: .milliseconds(5000))
        #expect(!FileManager.default.fileExists(atPath: file))
    }
}
