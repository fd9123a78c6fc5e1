import Foundation
import Subprocess

extension SubprocessRunner {
    public func startSession(_ command: Command) -> (any LineSession)? {
        SubprocessLineSession(command, lineLimit: outputLimit)
    }
}

/// One process with pipes on all three streams, driven by a task of its own: each request line
/// is written, then the next output line read; standard error is drained beside it (its tail
/// explains an early end). The process is killed at its command's deadline or by `kill()`.
final class SubprocessLineSession: LineSession, @unchecked Sendable {
    private let queue = RequestQueue()
    private let worker: Task<Void, Never>

    init(_ command: Command, lineLimit: Int) {
        let queue = self.queue
        worker = Task {
            let stderrTail = ErrorTail()
            let status = await Self.drive(command, queue, stderrTail, lineLimit: lineLimit)
            queue.end(.ended(exitCode: status.exitCode, signal: status.signal, stderr: stderrTail.text))
        }
        // The deadline of the whole session.
        let worker = self.worker
        Task {
            try? await Task.sleep(for: command.timeout)
            queue.close()
            worker.cancel()
        }
    }

    deinit {
        queue.close()
    }

    func exchange(_ line: String, accept: @escaping @Sendable (String) -> Bool) async -> LineSessionReply {
        await withCheckedContinuation { reply in queue.submit(Request(line: line, accept: accept), reply) }
    }

    func close() { queue.close() }

    func kill() {
        queue.close()
        worker.cancel()
    }

    private struct Status {
        var exitCode: Int32?
        var signal: Int32?
    }

    /// Runs the process until the queue is closed or the process ends.
    private static func drive(_ command: Command, _ queue: RequestQueue, _ stderrTail: ErrorTail, lineLimit: Int) async -> Status {
        guard let executable = SubprocessRunner.executable(command) else {
            stderrTail.add(SystemError.notInstalled(command.executable).description)
            return Status()
        }
        BrokenPipes.ignore()
        do {
            let outcome = try await Subprocess.run(
                executable, arguments: Arguments(command.arguments), environment: SubprocessRunner.environment(command),
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                let writer = execution.standardInputWriter
                let standardError = execution.standardError
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await line in standardError.strings(bufferingPolicy: .maxLineLength(lineLimit)) { stderrTail.add(line) }
                    }
                    var lines = execution.standardOutput.strings(bufferingPolicy: .maxLineLength(lineLimit)).makeAsyncIterator()
                    requests: while let request = await queue.next() {
                        guard (try? await writer.write(request.line + "\n")) != nil else { break }
                        while true {
                            guard let answer = try? await lines.next() else { break requests }
                            if request.accept(answer) {
                                queue.answer(.line(answer))
                                break
                            }
                        }
                    }
                    try? await writer.finish()
                    while (try? await lines.next()) != nil {}
                    try await group.waitForAll()
                }
            }
            switch outcome.terminationStatus {
            case .exited(let code): return Status(exitCode: code)
            case .signaled(let number): return Status(signal: number)
            }
        } catch {
            if stderrTail.text.isEmpty { stderrTail.add("could not run `\(command.description)`: \(error)") }
            return Status()
        }
    }
}

private struct Request: Sendable {
    let line: String
    let accept: @Sendable (String) -> Bool
}

/// Requests waiting for the worker, the one it is answering, and the end: every caller of
/// `submit` is answered exactly once, whether the process answers, ends or is killed.
private final class RequestQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: [(request: Request, reply: CheckedContinuation<LineSessionReply, Never>)] = []
    private var inFlight: CheckedContinuation<LineSessionReply, Never>?
    private var worker: CheckedContinuation<Request?, Never>?
    private var closed = false
    private var ended: LineSessionReply?

    func submit(_ request: Request, _ reply: CheckedContinuation<LineSessionReply, Never>) {
        lock.lock()
        if let ended {
            lock.unlock()
            return reply.resume(returning: ended)
        }
        if closed {
            lock.unlock()
            return reply.resume(returning: .ended(exitCode: nil, signal: nil, stderr: "the session was closed"))
        }
        if let worker {
            self.worker = nil
            inFlight = reply
            lock.unlock()
            return worker.resume(returning: request)
        }
        waiting.append((request, reply))
        lock.unlock()
    }

    /// The next request to send, or nil once closed.
    func next() async -> Request? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Request?, Never>) in
            lock.lock()
            if !waiting.isEmpty {
                let first = waiting.removeFirst()
                inFlight = first.reply
                lock.unlock()
                return continuation.resume(returning: first.request)
            }
            if closed {
                lock.unlock()
                return continuation.resume(returning: nil)
            }
            worker = continuation
            lock.unlock()
        }
    }

    func answer(_ reply: LineSessionReply) {
        lock.lock()
        let caller = inFlight
        inFlight = nil
        lock.unlock()
        caller?.resume(returning: reply)
    }

    func close() {
        lock.lock()
        closed = true
        let worker = self.worker
        self.worker = nil
        lock.unlock()
        worker?.resume(returning: nil)
    }

    /// The process is gone: whoever still waits gets `reply`.
    func end(_ reply: LineSessionReply) {
        lock.lock()
        ended = reply
        closed = true
        let callers = [inFlight].compactMap { $0 } + waiting.map(\.reply)
        inFlight = nil
        waiting = []
        let worker = self.worker
        self.worker = nil
        lock.unlock()
        worker?.resume(returning: nil)
        for caller in callers { caller.resume(returning: reply) }
    }
}

/// The last few lines a process wrote to standard error.
private final class ErrorTail: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func add(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        lines.append(line)
        if lines.count > 5 { lines.removeFirst() }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return lines.joined(separator: "\n")
    }
}
