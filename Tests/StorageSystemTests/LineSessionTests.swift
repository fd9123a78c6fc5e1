import Foundation
import Testing
@testable import StorageSystem

/// A command kept running to answer line by line (what `check` keeps on each host), for real
/// through `sh` on this machine.
@Suite struct LineSessionTests {
    static func session(_ script: String, timeout: Duration = .seconds(30)) throws -> any LineSession {
        try #require(LocalTransport(host: "here").startSession(Command("sh", ["-c", script], timeout: timeout)))
    }

    @Test func oneProcessAnswersEachLineInOrderUntilItsInputCloses() async throws {
        let session = try Self.session(#"echo "pid $$" >&2; while read -r line; do echo "got $line from $$"; done"#)
        let first = await session.exchange("a")
        let second = await session.exchange("b c")
        guard case .line(let one) = first, case .line(let two) = second else {
            Issue.record("expected two answers, got \(first) and \(second)")
            return
        }
        #expect(one.hasPrefix("got a from "))
        #expect(two.hasPrefix("got b c from "))
        // The same process answered both.
        #expect(one.split(separator: " ").last == two.split(separator: " ").last)
        session.close()
        let afterClose = await session.exchange("d")
        guard case .ended = afterClose else {
            Issue.record("a closed session answered: \(afterClose)")
            return
        }
    }

    @Test func linesTheCallerDoesNotTakeAreSkippedSoAnswersStayWithTheirRequests() async throws {
        // A shell start-up file that greets on stdout before the command's first answer.
        let session = try Self.session(#"echo "Welcome to hv1"; while read -r line; do echo "[\"$line\"]"; done"#)
        let isJSON: @Sendable (String) -> Bool = { $0.hasPrefix("[") }
        #expect(await session.exchange("a", accept: isJSON) == .line(#"["a"]"#))
        #expect(await session.exchange("b", accept: isJSON) == .line(#"["b"]"#))
        session.close()
    }

    @Test func aCommandThatEndsEarlySaysHowAndWhatItPrintedOnStandardError() async throws {
        let session = try Self.session(#"read -r line; echo one; echo "the spec sent for facts does not load" >&2; exit 3"#)
        #expect(await session.exchange("x") == .line("one"))
        let reply = await session.exchange("y")
        guard case .ended(let exitCode, let signal, let stderr) = reply else {
            Issue.record("expected the end, got \(reply)")
            return
        }
        #expect(exitCode == 3 && signal == nil)
        #expect(stderr.contains("the spec sent for facts does not load"))
        // Later requests get the same answer at once.
        #expect(await session.exchange("z") == reply)
    }

    @Test func killEndsASilentCommandAndAnswersTheWaitingCaller() async throws {
        let session = try Self.session("read -r line; sleep 30")
        let clock = ContinuousClock()
        let start = clock.now
        async let reply = session.exchange("anything")
        try await Task.sleep(for: .milliseconds(300))
        session.kill()
        let ended = await reply
        #expect(clock.now - start < .seconds(5))
        guard case .ended(_, let signal, _) = ended else {
            Issue.record("expected the end, got \(ended)")
            return
        }
        #expect(signal == 9)
    }

    @Test func theCommandsDeadlineEndsItEvenIfNobodyKillsIt() async throws {
        let session = try Self.session("read -r line; sleep 30", timeout: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let reply = await session.exchange("anything")
        #expect(clock.now - start < .seconds(5))
        guard case .ended = reply else {
            Issue.record("expected the end, got \(reply)")
            return
        }
    }

    @Test func aMissingExecutableEndsTheSessionWithTheReason() async throws {
        let session = try #require(LocalTransport(host: "here").startSession(Command("storagekit-no-such-tool", ["facts", "--session"])))
        let reply = await session.exchange("{}")
        guard case .ended(let exitCode, _, let stderr) = reply else {
            Issue.record("expected the end, got \(reply)")
            return
        }
        #expect(exitCode == nil)
        #expect(stderr.contains("storagekit-no-such-tool"))
    }

    @Test func sshAndLabTransportsWrapTheSessionsCommandAsTheyWrapRun() throws {
        let recorder = RecordingSessionRunner()
        let ssh = SSHTransport(host: "hv1", destination: "root@10.0.0.1", runner: recorder)
        _ = ssh.startSession(Command("storagekit", ["facts", "--session"], timeout: .seconds(9)))
        let started = try #require(recorder.started.first)
        #expect(started.executable == "ssh")
        #expect(started.arguments.suffix(3) == ["--", "root@10.0.0.1", "'storagekit' 'facts' '--session'"])
        #expect(started.timeout == .seconds(9))
    }
}

/// Runs nothing; remembers the sessions asked for.
final class RecordingSessionRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var commands: [Command] = []

    var started: [Command] { lock.withLock { commands } }

    func run(_ command: Command) async throws(SystemError) -> CommandResult {
        CommandResult(command: command, exitCode: 0, stdout: "", stderr: "")
    }

    func startSession(_ command: Command) -> (any LineSession)? {
        lock.withLock { commands.append(command) }
        return nil
    }
}
