import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem

/// Runs rehearsals: for each `RehearsalPair`, a canary VM started on the source, the same VM
/// waiting on the destination, a QMP migration between them over the destination's address, the
/// destination resuming it, and both removed. Each side is a `storagekit canary-vm --session` on
/// its host, reached through the host's transport (ssh, the lab, a kernel-lab guest), as
/// `check` reaches `facts --session`. At most `concurrency` rehearsals run at once.
public struct MigrationRehearser: Sendable {
    public let spec: ClusterSpec
    public let transport: @Sendable (StorageModel.Host) throws -> any Transport
    public let storagekit: @Sendable (StorageModel.Host) -> [String]
    /// Bounds each step (the migration itself included).
    public let timeout: Duration
    public let live: Bool
    public let concurrency: Int
    public let progress: (@Sendable (Int, Int) -> Void)?
    /// Namespace lab: a directory every lab host shares (this machine's), for the canary image.
    public let namespaceLabDirectory: String?

    public static let defaultConcurrency = 4

    public init(
        spec: ClusterSpec, transport: @escaping @Sendable (StorageModel.Host) throws -> any Transport, storagekit: @escaping @Sendable (StorageModel.Host) -> [String],
        timeout: Duration, live: Bool, concurrency: Int = MigrationRehearser.defaultConcurrency, namespaceLabDirectory: String? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) {
        self.namespaceLabDirectory = namespaceLabDirectory
        self.spec = spec
        self.transport = transport
        self.storagekit = storagekit
        self.timeout = timeout
        self.live = live
        self.concurrency = max(1, concurrency)
        self.progress = progress
    }

    /// Every pair's result, in the order given.
    public func rehearse(_ pairs: [RehearsalPair]) async -> [RehearsalResult] {
        let run = UInt32.random(in: 0...UInt32.max)
        return await pairs.concurrentMap(limit: concurrency, done: { progress?($0, pairs.count) }) { index, pair in
            await self.rehearse(pair, id: String(format: "%@-%08x-%d", spec.cluster, run, index))
        }
    }

    func rehearse(_ pair: RehearsalPair, id: String) async -> RehearsalResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = RehearsalResult(pair: pair)
        guard let sourceHost = spec.host(named: pair.source), let destinationHost = spec.host(named: pair.destination) else {
            result.fail(.connect, on: nil, "no such host in the spec")
            return result
        }
        let source: Side, destination: Side
        switch open(sourceHost) {
        case .success(let side): source = side
        case .failure(let reason):
            result.fail(.connect, on: pair.source, reason.description)
            return result
        }
        switch open(destinationHost) {
        case .success(let side): destination = side
        case .failure(let reason):
            source.session.close()
            result.fail(.connect, on: pair.destination, reason.description)
            return result
        }
        var storage = pair.storage
        if source.namespaceLab || destination.namespaceLab {
            // A network namespace shares this machine's kernel: no device-mapper, no NFS client.
            guard case .directory = pair.storage, let shared = namespaceLabDirectory else {
                result.skipped = "namespace lab: no device-mapper in a network namespace (the kernel lab, `lab up --kernel`, rehearses block devices)"
                source.session.close()
                destination.session.close()
                return result
            }
            storage = .directory(shared)
            result.diskStandIn = shared
        }
        let timeoutMs = Int(timeout.milliseconds)
        func step(_ name: RehearsalStep, _ side: Side, _ request: CanaryVMRequest) async -> CanaryVMReply {
            let began = clock.now
            let reply = await side.ask(request, within: timeout + .seconds(5))
            result.stepsMs[name, default: 0] += (clock.now - began).milliseconds
            if !reply.ok { result.fail(name, on: side.host, reply.error ?? "failed") }
            return reply
        }
        outcome: do {
            let started = await step(.start, source, CanaryVMRequest(.start, id: id, storage: storage, live: live, timeoutMs: timeoutMs))
            result.account = started.account
            guard started.ok else { break outcome }
            guard let address = destinationHost.addresses.first else {
                result.fail(.incoming, on: pair.destination, "\(pair.destination) has no address in the spec")
                break outcome
            }
            let waiting = await step(.incoming, destination, CanaryVMRequest(.incoming, id: id, storage: storage, listen: address, machine: started.machine ?? "q35", timeoutMs: timeoutMs))
            result.destinationAccount = waiting.account
            guard waiting.ok, let port = waiting.port else { break outcome }
            let uri = "tcp:\(address):\(port)"
            result.uri = uri
            let migrated = await step(.migrate, source, CanaryVMRequest(.migrate, id: id, uri: uri, timeoutMs: timeoutMs))
            guard migrated.ok else { break outcome }
            let resumed = await step(.takeOver, destination, CanaryVMRequest(.takeOver, id: id, timeoutMs: timeoutMs))
            result.destinationStatus = resumed.status
            result.destinationDisk = resumed.disk
            guard resumed.ok else { break outcome }
            let expected = storage.canaryDisk(id: id)
            if resumed.status != "running" {
                result.fail(.takeOver, on: pair.destination, "after the migration the destination's VM is `\(resumed.status ?? "unknown")`, not running")
            } else if resumed.disk != expected {
                result.fail(.takeOver, on: pair.destination, "the destination's VM has \(resumed.disk ?? "no disk") open, not \(expected)")
            } else if migrated.status != "postmigrate" {
                result.fail(.takeOver, on: pair.source, "after the migration the source's VM is `\(migrated.status ?? "unknown")`, not postmigrate: it did not let the disk go")
            }
        }
        // Both sides, whatever happened: the destination first (it may hold the image open),
        // then the source, which made the image and removes it.
        for side in [destination, source] {
            let began = clock.now
            let ended = await side.ask(CanaryVMRequest(.end, id: id, timeoutMs: timeoutMs), within: .seconds(15))
            result.stepsMs[.cleanup, default: 0] += (clock.now - began).milliseconds
            if !ended.ok { result.leftBehind[side.host] = ended.leftBehind ?? [ended.error ?? "its canary VM (no answer to end)"] }
            side.session.close()
        }
        result.passed = result.failedStep == nil
        result.totalMs = (clock.now - started).milliseconds
        return result
    }

    struct Side: Sendable {
        let host: String
        let session: any LineSession
        let namespaceLab: Bool

        func ask(_ request: CanaryVMRequest, within limit: Duration) async -> CanaryVMReply {
            guard let body = try? JSONEncoder().encode(request) else { return CanaryVMReply(ok: false, error: "could not encode the request") }
            let line = String(decoding: body, as: UTF8.self)
            let isJSON: @Sendable (String) -> Bool = { $0.hasPrefix("{") }
            guard let reply = await Deadline.race(limit, { await session.exchange(line, accept: isJSON) }) else {
                return CanaryVMReply(ok: false, error: "storagekit on \(host) did not answer \(request.action.rawValue) within \(Int(limit.milliseconds / 1000)) s")
            }
            switch reply {
            case .line(let text):
                do {
                    return try JSONDecoder().decode(CanaryVMReply.self, from: Data(text.utf8))
                } catch {
                    return CanaryVMReply(ok: false, error: "storagekit on \(host) answered something that is not a canary-vm reply of this version (\(ToolOutputError.firstLine(text)))")
                }
            case .ended(let exitCode, let signal, let stderr):
                let said = stderr.split(separator: "\n").last.map(String.init) ?? ""
                if exitCode == 255 { return CanaryVMReply(ok: false, error: "cannot reach \(host): ssh failed: \(said)") }
                if stderr.contains("canary-vm") && (stderr.contains("nknown") || stderr.contains("nexpected")) {
                    return CanaryVMReply(ok: false, error: "the storagekit on \(host) is older than this one (no `canary-vm`): install the same version on every host")
                }
                return CanaryVMReply(ok: false, error: "storagekit canary-vm on \(host) ended (\(exitCode.map { "exit \($0)" } ?? signal.map { "signal \($0)" } ?? "did not start")): \(said)")
            }
        }
    }

    func open(_ host: StorageModel.Host) -> Result<Side, ClusterFactsGatherer.FailureText> {
        let transport: any Transport
        do { transport = try self.transport(host) } catch { return .failure(ClusterFactsGatherer.FailureText("\(host.name) cannot be reached: \(error)")) }
        let argv = storagekit(host) + ["canary-vm", "--session"]
        // The session outlives every step of its rehearsal.
        guard let session = transport.startSession(Command(argv[0], Array(argv.dropFirst()), timeout: timeout * 6 + .seconds(30))) else {
            return .failure(ClusterFactsGatherer.FailureText("\(host.name)'s transport cannot keep a session open"))
        }
        return .success(Side(host: host.name, session: session, namespaceLab: transport.isNamespaceLab))
    }
}
