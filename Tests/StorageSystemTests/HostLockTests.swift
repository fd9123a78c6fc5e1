import Testing
@testable import StorageSystem

/// A host whose lock is held by a storagekit on another machine.
final class LockedHostTransport: Transport, @unchecked Sendable {
    let host = "nfs1"
    let owner: String
    private(set) var commands: [[String]] = []
    private var held = true

    init(owner: String) { self.owner = owner }

    func run(_ command: Command) async throws(SystemError) -> CommandResult {
        let argv = [command.executable] + command.arguments
        commands.append(argv)
        switch argv {
        case ["mkdir", "--", HostLock.path]:
            if !held {
                held = true
                return CommandResult(command: command, exitCode: 0, stdout: "", stderr: "")
            }
            return CommandResult(command: command, exitCode: 1, stdout: "", stderr: "mkdir: cannot create directory '\(HostLock.path)': File exists\n")
        case ["rm", "-rf", "--", HostLock.path]:
            held = false
            return CommandResult(command: command, exitCode: 0, stdout: "", stderr: "")
        case ["stat", "-c", "%a", "--", "\(HostLock.path)/owner"]: return CommandResult(command: command, exitCode: 0, stdout: "644\n", stderr: "")
        case ["cat", "--", "\(HostLock.path)/owner"]: return CommandResult(command: command, exitCode: 0, stdout: owner, stderr: "")
        default: return CommandResult(command: command, exitCode: 0, stdout: "", stderr: "")
        }
    }
}

@Suite struct HostLockTests {
    @Test func aLockHeldFromAnotherMachineMakesTheSecondApplyWaitThenFailNamingTheHolder() async throws {
        let transport = LockedHostTransport(owner: "pid=4242\nboot=another-boot\nmachine=admin-laptop\nsince=2026-11-25T02:00:00Z\n")
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
        #expect(transport.commands.filter { $0 == ["mkdir", "--", HostLock.path] }.count > 1, "it kept trying")
        #expect(!transport.commands.contains(["rm", "-rf", "--", HostLock.path]), "never breaks a live lock of another machine")
    }

    @Test func aLockLeftByADeadStorageKitOfThisMachineIsTakenOver() async throws {
        let boot = HostLock.Holder.current.bootID
        // pid 2^22+1 is above Linux's pid_max default: no such process.
        let transport = LockedHostTransport(owner: "pid=4194305\nboot=\(boot)\nmachine=here\nsince=2026-11-25T02:00:00Z\n")
        let lock = HostLock(files: HostFiles(transport: transport), wait: .seconds(5))
        try await lock.acquire()
        let mkdirs = transport.commands.indices.filter { transport.commands[$0] == ["mkdir", "--", HostLock.path] }
        let removal = try #require(transport.commands.firstIndex(of: ["rm", "-rf", "--", HostLock.path]))
        #expect(mkdirs.count == 2 && mkdirs[0] < removal && removal < mkdirs[1], "stale lock removed, then taken")
    }
}
