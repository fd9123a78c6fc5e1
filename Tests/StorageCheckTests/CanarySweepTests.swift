import Foundation
import StorageGathering
import StorageSystem
import Testing

/// A session's sweep removes what dead sessions left, and never a directory another live session
/// is still making (a kernel-lab rehearsal lost one that way: four sessions at once on a host).
@Suite struct CanarySweepTests {
    @Test func aDirectoryBeingMadeByALiveSessionIsKeptAnAbandonedOneIsRemoved() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sk-sweep-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = root + "/run/storagekit/canary"
        let making = run + "/.\(getpid())-r1-source", abandoned = run + "/r2-source", unowned = run + "/.999999999-r3-source"
        for directory in [making, abandoned, unowned] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        // A pid that is no longer running: a child that has exited and been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try Data(String(child.processIdentifier).utf8).write(to: URL(fileURLWithPath: abandoned + "/owner"))
        await CanaryVMSide.sweep(runner: SubprocessRunner(), root: root)
        #expect(FileManager.default.fileExists(atPath: making), "made by this live process, no owner file yet: kept")
        #expect(!FileManager.default.fileExists(atPath: abandoned) && !FileManager.default.fileExists(atPath: unowned), "dead owners: removed")
    }
}
