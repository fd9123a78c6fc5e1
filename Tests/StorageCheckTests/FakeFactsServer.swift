import Foundation
import StorageSystem
import StorageTestSupport
@testable import StorageFacts

/// The NFS export the fake hosts share, and what they asked.
final class FakeServer: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: String] = [:]
    private var removals: [String] = []
    private var asked: [(argv: [String], request: FactsRequest)] = []

    var written: [String: String] { lock.withLock { files } }
    var removedBy: [String] { lock.withLock { removals } }
    var requests: [(argv: [String], request: FactsRequest)] { lock.withLock { asked } }

    func answer(_ host: String, _ command: Command) -> String {
        let request = try! JSONDecoder().decode(FactsRequest.self, from: Data(command.stdin!.utf8))
        lock.withLock { asked.append(([command.executable] + command.arguments, request)) }
        let encoder = JSONEncoder()
        switch request.mode {
        case .gather:
            let facts = CheckFixtures.healthy(host)
            if let canary = facts.nfs?.mounts.first?.canary { lock.withLock { files[canary.path] = canary.content } }
            return String(decoding: try! encoder.encode(facts), as: UTF8.self)
        case .readCanaries:
            var answers = request.canaries.map { ref in CanaryAnswer(export: ref.export, path: ref.path, content: lock.withLock { files[ref.path] }) }
            for ref in request.removeAfterReading ?? [] {
                lock.withLock { removals.append("\(host):\(ref.path)") }
                answers.append(CanaryAnswer(export: ref.export, path: ref.path, removal: true))
            }
            return String(decoding: try! encoder.encode(answers), as: UTF8.self)
        case .removeCanaries:
            lock.withLock { removals += request.canaries.map { "\(host):\($0.path)" } }
            return String(decoding: try! encoder.encode(request.canaries.map { CanaryAnswer(export: $0.export, path: $0.path) }), as: UTF8.self)
        }
    }
}

extension FakeServer {
    /// A host that answers each request with a process of its own.
    func answeringHost(_ name: String) -> ScriptedTransport {
        ScriptedTransport(host: name) { CommandResult(command: $0, exitCode: 0, stdout: self.answer(name, $0), stderr: "") }
    }

    /// A host that keeps one `facts --session` running and answers each of its lines.
    func sessionHost(_ name: String) -> ScriptedTransport {
        ScriptedTransport(
            host: name,
            session: { command in
                ScriptedSession(command: command) { line in
                    var asked = command
                    asked.stdin = line
                    return .line(self.answer(name, asked))
                }
            },
            reply: { CommandResult(command: $0, exitCode: 0, stdout: self.answer(name, $0), stderr: "") })
    }
}
