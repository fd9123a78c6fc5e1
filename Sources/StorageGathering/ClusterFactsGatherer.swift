import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem

/// Asks the hypervisors for their facts, at most `concurrency` at a time, through each host's
/// transport (`storagekit facts --session` over ssh, inside a lab host's namespaces, or here),
/// then has each one read the NFS canaries `CanaryPlan` gives it (and, between ring
/// neighbours, remove them once read), then has writers remove what is left: at most three
/// requests to one process per host.
///
/// Each host's time starts when it is asked, not when the check started: a host that waited
/// for a free slot is never judged by time it spent waiting. A host that does not answer in its
/// time is silent, with the cause. No host is asked once the round's time is up: those are
/// "not checked", never silent.
public struct ClusterFactsGatherer: Sendable {
    public let spec: ClusterSpec
    public let specYAML: String
    public let secrets: [String: String]
    public let hosts: [StorageModel.Host]
    /// How long each host has to answer one request.
    public let timeout: Duration
    public let transport: @Sendable (StorageModel.Host) throws -> any Transport
    /// argv that runs storagekit on a host.
    public let storagekit: @Sendable (StorageModel.Host) -> [String]
    /// Hosts asked at once: one tgtd or rpcbind never faces every hypervisor in the same
    /// millisecond, and this machine never starts a process (or an ssh handshake) per host at once.
    public let concurrency: Int
    /// Who probes whose migration ports and reads whose canaries.
    public let plan: PeerPlan
    /// What to gather (`check --only`); empty: everything.
    public let areas: Set<CheckArea>
    /// Called with (hosts done, hosts in all) as each host's facts arrive.
    public let progress: (@Sendable (Int, Int) -> Void)?

    public static let defaultConcurrency = 32
    /// The spec cut to what each host needs (nil: the whole spec is sent).
    let excerpt: SpecExcerpt?

    public init(
        spec: ClusterSpec, specYAML: String, secrets: [String: String], hosts: [StorageModel.Host], timeout: Duration,
        transport: @escaping @Sendable (StorageModel.Host) throws -> any Transport, storagekit: @escaping @Sendable (StorageModel.Host) -> [String],
        concurrency: Int = ClusterFactsGatherer.defaultConcurrency, allPairs: Bool = false, areas: Set<CheckArea> = [],
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) {
        self.spec = spec
        self.specYAML = specYAML
        self.secrets = secrets
        self.hosts = hosts
        self.timeout = timeout
        self.transport = transport
        self.storagekit = storagekit
        self.concurrency = max(1, concurrency)
        self.plan = PeerPlan(hosts: hosts, networks: spec.networks, allPairs: allPairs)
        self.areas = areas
        self.progress = progress
        self.excerpt = SpecExcerpt(yaml: specYAML)
    }

    /// Probes on the host get most of the time; the rest is for starting storagekit there and
    /// carrying the answer back.
    var probeTimeoutMs: Int {
        let total = Int(timeout.milliseconds)
        return max(500, total * 6 / 10)
    }

    enum Arrival: Sendable {
        case facts(String, HostOutcome)
        /// The host has had its slot for `slotHold`: it is waiting on the network by now, not
        /// loading the servers or this machine, so the next host may start.
        case slotHeld(String)
        case halfTime
        case roundOver
        /// Canary reads among the hosts that answered, while others are still out.
        case earlyReads([CanaryRead], Set<CanaryRef>, Duration)
    }

    /// How long a host that has not answered keeps its slot: a tenth of the timeout. A
    /// blackholed portal holds every host for its whole probe time; without this, 200 hosts
    /// would take ⌈200 / concurrency⌉ probe times, most of them idle.
    var slotHold: Duration { timeout / 10 }

    /// Facts from every host, `concurrency` at a time. If some have not answered by half the
    /// timeout and every host has been asked, the ones that answered read (and remove) the
    /// canaries whose reader no later answer can change (`CanaryPlan.settledReads`) meanwhile,
    /// beside the gathering and never holding up the asking, so a stopped host costs the
    /// timeout and not the timeout plus a canary round; the rest are read in a second round.
    public func gather() async -> ClusterFacts {
        let clock = ContinuousClock()
        let started = clock.now
        let channels = ChannelPool()
        defer { channels.closeAll() }
        let gatherer = self.with(channels)
        async let serverFirewalls = observeServerFirewalls()
        var readsTime = Duration.zero
        var outcomes: [String: HostOutcome] = [:]
        var reads: [CanaryRead] = []
        var removedEarly = Set<CanaryRef>()
        var waiting = hosts[...]
        var holding = Set<String>()
        var roundOver = false
        var readsDue = false
        var earlyReading = false
        await withTaskGroup(of: Arrival.self) { group in
            func startEarlyReads() {
                guard readsDue, waiting.isEmpty, !earlyReading, outcomes.count < hosts.count else { return }
                readsDue = false
                earlyReading = true
                let known = ClusterFacts(hosts: outcomes), done = reads
                group.addTask {
                    let start = ContinuousClock.now
                    let settled = CanaryPlan.settledReads(hosts: gatherer.hosts, facts: known, allPairs: gatherer.plan.allPairs)
                    let early = await gatherer.readCanaries(known, planned: settled, done: done, removing: !gatherer.plan.allPairs)
                    return .earlyReads(early.reads, early.removed, ContinuousClock.now - start)
                }
            }
            func askNext() {
                while holding.count < concurrency, !roundOver, let host = waiting.popFirst() {
                    holding.insert(host.name)
                    group.addTask { .facts(host.name, await gatherer.facts(of: host)) }
                    group.addTask {
                        try? await Task.sleep(for: gatherer.slotHold)
                        return .slotHeld(host.name)
                    }
                }
            }
            askNext()
            group.addTask {
                try? await Task.sleep(for: gatherer.timeout / 2)
                return .halfTime
            }
            group.addTask {
                try? await Task.sleep(for: gatherer.timeout)
                return .roundOver
            }
            for await arrival in group {
                switch arrival {
                case .facts(let name, let outcome):
                    outcomes[name] = outcome
                    holding.remove(name)
                    progress?(outcomes.count, hosts.count)
                    askNext()
                    startEarlyReads()
                case .slotHeld(let name):
                    holding.remove(name)
                    askNext()
                    startEarlyReads()
                case .halfTime:
                    readsDue = true
                    startEarlyReads()
                case .earlyReads(let early, let removed, let took):
                    reads += early
                    removedEarly.formUnion(removed)
                    readsTime += took
                    earlyReading = false
                case .roundOver:
                    roundOver = true
                    // Never asked: the check ran out of its time, the host did nothing wrong.
                    while let host = waiting.popFirst() {
                        outcomes[host.name] = .notChecked(reason: "storagekit ran out of time before asking it: raise --timeout, or --concurrency if the servers can take more hosts at once")
                    }
                    startEarlyReads()
                }
                if outcomes.count == hosts.count && !earlyReading { group.cancelAll() }
            }
        }
        let answered = clock.now
        var facts = ClusterFacts(hosts: outcomes)
        facts.build = BuildInfo.runningBuildID
        // Between ring neighbours each canary has one reader, which removes it once read.
        let planned = CanaryPlan.reads(hosts: hosts, facts: facts, allPairs: plan.allPairs)
        let final = await gatherer.readCanaries(facts, planned: planned, done: reads, removing: !plan.allPairs)
        reads += final.reads
        let read = clock.now
        await gatherer.removeCanaries(facts, except: final.removed.union(removedEarly))
        facts.canaryReads = reads
        facts.serverFirewalls = await serverFirewalls
        facts.phasesMs = [
            .facts: (answered - started).milliseconds, .canaryReads: (readsTime + (read - answered)).milliseconds,
            .canaryRemoval: (clock.now - read).milliseconds,
            .slowestHost: outcomes.values.compactMap { $0.facts?.durationMs }.max() ?? 0,
        ]
        return facts
    }

    /// Each server's firewall (`FirewallObserver`), all at once, beside the hypervisors'
    /// facts.
    func observeServerFirewalls() async -> [String: Known<FirewallFacts>] {
        let observed = await FirewallObserver.servers(of: spec, areas: areas).concurrentMap { [self] _, server -> (String, Known<FirewallFacts>) in
            do {
                return (server.name, await FirewallObserver(transport: try self.transport(server), timeout: self.timeout).observe())
            } catch {
                return (server.name, .unknown("cannot be reached: \(error)"))
            }
        }
        return Dictionary(observed, uniquingKeysWith: { first, _ in first })
    }

    func facts(of host: StorageModel.Host) async -> HostOutcome {
        let peers = plan.peers(of: host.name)
        let text = excerpt?.keeping(spec.hostsNeeded(by: host.name, probing: peers)) ?? specYAML
        var request = FactsRequest(host: host.name, specYAML: text, secrets: secrets, probeTimeoutMs: probeTimeoutMs)
        request.migrationPeers = peers
        request.migrationSweeps = plan.sweeps(of: host.name)
        request.areas = areas.isEmpty ? nil : areas.sorted { $0.rawValue < $1.rawValue }
        switch await ask(host, request) {
        case .failure(let reason): return reason.storagekitMissing ? .needsDeploy(reason: reason.description) : .silent(reason: reason.description)
        case .success(let output):
            do {
                return .answered(try JSONDecoder().decode(HostFacts.self, from: Data(output.utf8)))
            } catch {
                return .needsDeploy(reason: "its storagekit printed facts this one cannot read (another version)")
            }
        }
    }

    func canariesWritten(_ facts: ClusterFacts) -> [(writer: String, export: String, canary: CanaryFile)] {
        hosts.flatMap { host in
            (facts.facts(host.name)?.nfs?.mounts ?? []).compactMap { mount in mount.canary.map { (host.name, mount.export, $0) } }
        }
    }

    /// Each hypervisor reads the canaries `planned` (`CanaryPlan`) gives it, but for the reads
    /// in `done`; `removing`: and removes them in the same mount (each has that one reader).
    func readCanaries(_ facts: ClusterFacts, planned wantedByReader: [String: [CanaryPlan.Read]], done: [CanaryRead], removing: Bool) async
        -> (reads: [CanaryRead], removed: Set<CanaryRef>)
    {
        let written = canariesWritten(facts)
        guard !written.isEmpty else { return ([], []) }
        let readers = hosts.filter { !(wantedByReader[$0.name] ?? []).isEmpty }
        let results: [(reads: [CanaryRead], removed: [CanaryRef])] = await readers.concurrentMap { _, reader in
            let wanted = written.filter { entry in (wantedByReader[reader.name] ?? []).contains { $0.writer == entry.writer && $0.export == entry.export } }
                .filter { entry in !done.contains { $0.reader == reader.name && $0.writer == entry.writer && $0.export == entry.export && $0.path == entry.canary.path } }
            guard !wanted.isEmpty else { return ([], []) }
            let refs = wanted.map { CanaryRef(export: $0.export, path: $0.canary.path) }
            var request = FactsRequest(host: reader.name, specYAML: self.specYAML, probeTimeoutMs: self.probeTimeoutMs, mode: .readCanaries, canaries: refs)
            if removing { request.removeAfterReading = refs }
            let answers = await self.canaryAnswers(reader, request)
            let reads = wanted.map { entry in
                switch answers {
                case .failure(let reason):
                    return CanaryRead(reader: reader.name, writer: entry.writer, export: entry.export, path: entry.canary.path, content: nil, error: reason.description)
                case .success(let list):
                    let answer = list.first { $0.export == entry.export && $0.path == entry.canary.path && $0.removal != true }
                    return CanaryRead(reader: reader.name, writer: entry.writer, export: entry.export, path: entry.canary.path,
                                      content: answer?.content, error: answer == nil ? "no answer for this file" : answer?.error)
                }
            }
            let removed = (try? answers.get())?.filter { $0.removal == true && $0.error == nil }.map { CanaryRef(export: $0.export, path: $0.path) } ?? []
            return (reads, removed)
        }
        return (results.flatMap(\.reads), Set(results.flatMap(\.removed)))
    }

    /// Each writer removes its own canaries that their reader did not, once every read is done.
    func removeCanaries(_ facts: ClusterFacts, except removed: Set<CanaryRef> = []) async {
        let written = canariesWritten(facts).filter { !removed.contains(CanaryRef(export: $0.export, path: $0.canary.path)) }
        let writers = hosts.filter { host in written.contains { $0.writer == host.name } }
        _ = await writers.concurrentMap { _, writer in
            let mine = written.filter { $0.writer == writer.name }.map { CanaryRef(export: $0.export, path: $0.canary.path) }
            return await self.canaryAnswers(writer, FactsRequest(host: writer.name, specYAML: self.specYAML, probeTimeoutMs: self.probeTimeoutMs, mode: .removeCanaries, canaries: mine))
        }
    }

    func canaryAnswers(_ host: StorageModel.Host, _ request: FactsRequest) async -> Result<[CanaryAnswer], FailureText> {
        switch await ask(host, request) {
        case .failure(let reason): return .failure(reason)
        case .success(let output):
            do {
                return .success(try JSONDecoder().decode([CanaryAnswer].self, from: Data(output.utf8)))
            } catch {
                return .failure(FailureText("its storagekit printed an answer this one cannot read (\(ToolOutputError.firstLine(output)))"))
            }
        }
    }

    struct FailureText: Error, CustomStringConvertible {
        var description: String
        /// The storagekit there is missing or cannot answer this one: `deploy` fixes it.
        var storagekitMissing = false
        init(_ text: String, storagekitMissing: Bool = false) {
            description = text
            self.storagekitMissing = storagekitMissing
        }
    }

    /// How a host is asked during one gather: a `storagekit facts --session` process there for
    /// every round, or, where the transport cannot keep one running, one `storagekit facts
    /// --request -` per request.
    struct Channel: Sendable {
        var transport: Result<any Transport, FailureText>
        var session: (any LineSession)?
    }

    /// Channels of one `gather`, opened when a host is first asked (its slot), by host name.
    final class ChannelPool: @unchecked Sendable {
        private let lock = NSLock()
        private var channels: [String: Channel] = [:]

        func channel(_ name: String, open: () -> Channel) -> Channel {
            lock.lock()
            defer { lock.unlock() }
            if let found = channels[name] { return found }
            let made = open()
            channels[name] = made
            return made
        }

        func closeAll() {
            lock.lock()
            let all = channels.values
            channels = [:]
            lock.unlock()
            for channel in all { channel.session?.close() }
        }
    }

    var channels: ChannelPool?

    func with(_ channels: ChannelPool) -> Self {
        var copy = self
        copy.channels = channels
        return copy
    }

    func channel(to host: StorageModel.Host) -> Channel {
        let transport: any Transport
        do { transport = try self.transport(host) } catch { return Channel(transport: .failure(FailureText("cannot be reached: \(error)"))) }
        let argv = storagekit(host) + ["facts", "--session"]
        // Facts (with reads at half time: up to 1.5 timeouts), reads, removal: each round is
        // bounded by the timeout, the session outlives them all and ends with the gather.
        let session = transport.startSession(Command(argv[0], Array(argv.dropFirst()), timeout: timeout * 4 + .seconds(2)))
        return Channel(transport: .success(transport), session: session)
    }

    /// Sends the request to the host's storagekit (its session, or `storagekit facts --request -`
    /// with the request on stdin); the answer, or why there is none. Bounded by `timeout` even if
    /// the transport ignores its own.
    func ask(_ host: StorageModel.Host, _ request: FactsRequest) async -> Result<String, FailureText> {
        let channel = channels?.channel(host.name) { self.channel(to: host) } ?? self.channel(to: host)
        let transport: any Transport
        switch channel.transport {
        case .failure(let reason): return .failure(reason)
        case .success(let found): transport = found
        }
        var request = request
        request.kernelNotOwn = transport.isNamespaceLab ? HostFactsCollector.namespaceReason : nil
        // The session has the spec from its first request, the facts one.
        if channel.session != nil && request.mode != .gather { request.specYAML = "" }
        guard let body = try? JSONEncoder().encode(request) else { return .failure(FailureText("could not encode the request")) }
        let line = String(decoding: body, as: UTF8.self)
        let seconds = timeout.milliseconds / 1000
        let late = FailureText("did not answer within \(String(format: "%g", seconds)) s")
        if let session = channel.session {
            // Answers are JSON; anything else on stdout (a greeting from a shell start-up file)
            // is skipped, so an answer never lands on the next request.
            let isJSON: @Sendable (String) -> Bool = { $0.hasPrefix("{") || $0.hasPrefix("[") }
            guard let reply = await Deadline.race(timeout, { await session.exchange(line, accept: isJSON) }) else {
                session.kill()
                return .failure(late)
            }
            switch reply {
            case .line(let answer): return .success(answer)
            case .ended(let exitCode, let signal, let stderr):
                let said = stderr.split(separator: "\n").last.map(String.init) ?? ""
                if exitCode == 255 { return .failure(FailureText("cannot be reached: ssh failed: \(said)")) }
                if stderr.contains("--session") && stderr.contains("nknown option") {
                    return .failure(FailureText("its storagekit is older than this one (no `facts --session`)", storagekitMissing: true))
                }
                // A shell's, nsenter's or timeout's "could not run it".
                if exitCode == 127 { return .failure(FailureText("storagekit is not installed there (`\(storagekit(host)[0])`: \(said))", storagekitMissing: true)) }
                return .failure(FailureText("storagekit facts failed there (\(exitCode.map { "exit \($0)" } ?? signal.map { "signal \($0)" } ?? "did not start")): \(said)"))
            }
        }
        let argv = storagekit(host) + ["facts", "--request", "-"]
        let command = Command(argv[0], Array(argv.dropFirst()), timeout: timeout, stdin: line)
        // The transport kills the command at `timeout`; the race only guards one that does not.
        let outcome = await Deadline.race(timeout + .milliseconds(200)) { await Self.run(command, on: transport, seconds: seconds) }
        return outcome ?? .failure(late)
    }

    /// One command through a transport, its failures in words (no typed throws in the escaping
    /// closure: Swift 6.3 miscompiled that pattern inside task groups here).
    static func run(_ command: Command, on transport: any Transport, seconds: Double) async -> Result<String, FailureText> {
        let result: CommandResult
        do {
            result = try await transport.run(command)
        } catch {
            switch error.code {
            case .timedOut: return .failure(FailureText("did not answer within \(String(format: "%g", seconds)) s"))
            case .notInstalled: return .failure(FailureText("\(error.command ?? command.executable) is not installed there", storagekitMissing: true))
            default: return .failure(FailureText(error.description))
            }
        }
        if result.succeeded { return .success(result.stdout) }
        let said = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        return .failure(FailureText("storagekit facts failed there (\(result.exitCode.map { "exit \($0)" } ?? "killed by a signal")): \(said)"))
    }
}

/// The first of a piece of work and a deadline. The work runs in a task of its own, so a
/// transport that never returns is left behind (cancelled) instead of holding the caller.
enum Deadline {
    static func race<Value: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async -> Value) async -> Value? {
        let once = Once<Value?>()
        return await withCheckedContinuation { continuation in
            let timer = Task { try? await Task.sleep(for: limit) }
            let worker = Task {
                let value = await work()
                // Done first: the timer need not sleep on.
                if once.resume(continuation, with: value) { timer.cancel() }
            }
            Task {
                await timer.value
                if once.resume(continuation, with: nil) { worker.cancel() }
            }
        }
    }

    final class Once<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false

        @discardableResult
        func resume(_ continuation: CheckedContinuation<Value, Never>, with value: Value) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard !done else { return false }
            done = true
            continuation.resume(returning: value)
            return true
        }
    }
}
