import Foundation
import StorageTestSupport
import Testing
@testable import StorageSystem

/// The timer of hosts without systemd (this machine is one), run for real through the local
/// transport: it fires after its delay even though the command that set it has returned, and
/// a cancelled one never fires.
@Suite(.needsRoot("the timer keeps its pid file under /run/storagekit")) struct ShellTimerTests {
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
        try await waitUntil("the timer has fired", timeout: .seconds(10), every: .milliseconds(100)) { FileManager.default.fileExists(atPath: file) }
        #expect(try await !services.timerPending(timer))
        #expect(try await !services.cancelTimer(timer), "nothing left to cancel")
    }

    @Test func aCancelledTimerNeverFires() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("storagekit-timer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let services = SystemdServiceManager(transport: LocalTransport(host: "local"))
        let timer = timer(file)
        try await services.startTimer(timer, after: .seconds(4))
        let pidFile = ShellTimer(transport: LocalTransport(host: "local")).pidFile(timer)
        let shell = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await services.cancelTimer(timer))
        // The shell that would run the command gone, not merely late: nothing is left to fire.
        try await waitUntil("the timer's shell (pid \(shell)) has ended", timeout: .seconds(5), every: .milliseconds(20)) { !DetachedProcess.isAlive(shell) }
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }
}
