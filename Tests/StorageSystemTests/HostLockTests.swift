import StorageTestSupport
import Testing
@testable import StorageSystem

@Suite struct HostLockTests {
    /// A host whose lock is held by a storagekit on another machine (`owner`): taken until
    /// removed, and again once taken.
    static func lockedHost(owner: String) -> ScriptedTransport {
        ScriptedTransport(host: "nfs1", replyAfter: { command, earlier in
            let argv = [command.executable] + command.arguments
            func result(_ code: Int32, _ stdout: String = "", _ stderr: String = "") -> CommandResult {
                CommandResult(command: command, exitCode: code, stdout: stdout, stderr: stderr)
            }
            let take = ["mkdir", "--", HostLock.path], remove = ["rm", "-rf", "--", HostLock.path]
            switch argv {
            case take:
                let lastChange = earlier.map { [$0.executable] + $0.arguments }.last { $0 == take || $0 == remove }
                return lastChange == remove ? result(0) : result(1, "", "mkdir: cannot create directory '\(HostLock.path)': File exists\n")
            case ["stat", "-c", "%a", "--", "\(HostLock.path)/owner"]: return result(0, "644\n")
            case ["cat", "--", "\(HostLock.path)/owner"]: return result(0, owner)
            default: return result(0)
            }
        })
    }

    @Test func aLockHeldFromAnotherMachineMakesTheSecondApplyWaitThenFailNamingTheHolder() async throws {
        let transport = Self.lockedHost(owner: "pid=4242\nboot=another-boot\nmachine=admin-laptop\nsince=2026-11-25T02:00:00Z\n")
        let lock = HostLock(files: HostFiles(transport: transport), wait: .milliseconds(600))
        let started = ContinuousClock.now
        do {
            try await lock.acquire()
            Issue.record("the lock was taken although another storagekit holds it")
        } catch {
            #expect(error.description.contains("storagekit pid 4242 on admin-laptop since 2026-11-25T02:00:00Z is changing this host"))
            #expect(error.description.contains("remove \(HostLock.path) on nfs1"))
        }
        #expect(ContinuousClock.now - started >= .milliseconds(600), "it waited before giving up")
        #expect(transport.argvs.filter { $0 == ["mkdir", "--", HostLock.path] }.count > 1, "it kept trying")
        #expect(!transport.argvs.contains(["rm", "-rf", "--", HostLock.path]), "never breaks a live lock of another machine")
    }

    @Test func aLockLeftByADeadStorageKitOfThisMachineIsTakenOver() async throws {
        let boot = HostLock.Holder.current.bootID
        // pid 2^22+1 is above Linux's pid_max default: no such process.
        let transport = Self.lockedHost(owner: "pid=4194305\nboot=\(boot)\nmachine=here\nsince=2026-11-25T02:00:00Z\n")
        let lock = HostLock(files: HostFiles(transport: transport), wait: .seconds(5))
        try await lock.acquire()
        let mkdirs = transport.argvs.indices.filter { transport.argvs[$0] == ["mkdir", "--", HostLock.path] }
        let removal = try #require(transport.argvs.firstIndex(of: ["rm", "-rf", "--", HostLock.path]))
        #expect(mkdirs.count == 2 && mkdirs[0] < removal && removal < mkdirs[1], "stale lock removed, then taken")
    }
}
