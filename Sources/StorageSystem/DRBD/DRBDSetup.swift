import StorageFacts
import StorageModel

/// Runs `DRBDBringUp`'s phases on a resource's two nodes through their transports, reading the
/// state again before each phase; every wait is bounded.
public struct DRBDSetup: Sendable {
    /// What `run` reports as it goes.
    public enum Event: Sendable {
        case done(DRBDBringUp.Step)
        /// A bounded wait starts; it can be long.
        case waiting(Wait)
    }

    public enum Wait: Sendable, CustomStringConvertible {
        case connected(resource: String, within: Duration)
        /// Both disks UpToDate, before the second node becomes Primary.
        case upToDate(resource: String, within: Duration)

        public var description: String {
            switch self {
            case .connected(let resource, let limit): "waiting for \(resource) to connect (≤ \(limit.components.seconds) s)"
            case .upToDate(let resource, let limit): "waiting for both disks of \(resource) to be UpToDate before the second Primary (≤ \(limit.components.seconds) s)"
            }
        }
    }

    public var resource: DRBDResource
    /// By host name, both nodes.
    public var transports: [String: any Transport]
    public var force = false
    public var connectTimeout: Duration = .seconds(60)
    public var syncTimeout: Duration = .seconds(600)

    public init(resource: DRBDResource, transports: [String: any Transport]) {
        self.resource = resource
        self.transports = transports
    }

    /// Disk signatures and device states of both nodes, read-only.
    public func nodeStates(loadModule: Bool) async throws(SystemError) -> [DRBDBringUp.NodeState] {
        var nodes: [DRBDBringUp.NodeState] = []
        for node in resource.hosts {
            let transport = try self.transport(node.name)
            if loadModule { try await ensureModule(transport) }
            nodes.append(DRBDBringUp.NodeState(host: node.name, disk: try await signature(transport), device: try await device(transport)))
        }
        return nodes
    }

    /// Phases 1–3; `events` gets each step as it is done and each wait as it starts.
    public func run(events: (Event) -> Void) async throws(SystemError) {
        let nodes = try await nodeStates(loadModule: true)
        var attach: [DRBDBringUp.Step] = []
        for node in nodes {
            do { attach += try DRBDBringUp.attach(resource, node, force: force) } catch { throw SystemError(.refused, "refused on \(error)", host: error.host, reason: error.reason) }
        }
        for step in attach { try await perform(step, events) }

        events(.waiting(.connected(resource: resource.name, within: connectTimeout)))
        var states = try await waitUntil("both nodes Connected", within: connectTimeout) { $0.values.allSatisfy(\.isConnected) }
        if let sync = DRBDBringUp.initialSync(resource, states: states) {
            try await perform(sync, events)
            states = try await readStates()
        }
        let promotions = DRBDBringUp.promotions(resource, states: states)
        guard !promotions.isEmpty else { return }
        events(.waiting(.upToDate(resource: resource.name, within: syncTimeout)))
        _ = try await waitUntil("both disks UpToDate", within: syncTimeout) { $0.values.allSatisfy { $0.disk == .upToDate && $0.peerDisk == .upToDate } }
        for step in promotions { try await perform(step, events) }
    }

    // MARK: - reading

    private func transport(_ host: String) throws(SystemError) -> any Transport {
        guard let transport = transports[host] else { throw .drbdCannotRead(host: host, what: "the host", reason: "no transport (not a node of \(resource.name)?)") }
        return transport
    }

    private func ensureModule(_ transport: any Transport) async throws(SystemError) {
        let result = try await run(transport, ["sh", "-c", "test -e /proc/drbd || modprobe drbd"], what: "/proc/drbd")
        guard result.succeeded else { throw .drbdNoModule(host: transport.host, reason: Self.said(result)) }
    }

    private func signature(_ transport: any Transport) async throws(SystemError) -> DiskSignature {
        let probed = resource.metaDisk == DRBDResource.defaultMetaDisk ? resource.disk : resource.metaDisk
        for path in Set([probed, resource.disk]).sorted() {
            // blkid says exit 2, "nothing found", for a path that does not exist as well.
            let exists = try await run(transport, ["test", "-e", path], what: path)
            guard exists.succeeded else { throw .drbdCannotRead(host: transport.host, what: path, reason: "it does not exist (drbd.resources[].disk / metaDisk names a block device on this host)") }
        }
        let result = try await run(transport, ["blkid", "-p", "-o", "export", probed], what: probed)
        guard let signature = DiskSignature.parse(exitCode: result.exitCode, output: result.stdout) else {
            throw .drbdCannotRead(host: transport.host, what: probed, reason: "blkid: \(Self.said(result))")
        }
        if signature == .nothing, probed != resource.disk {
            // External metadata: the data disk must still hold nothing create-md's user did not mean.
            let data = try await run(transport, ["blkid", "-p", "-o", "export", resource.disk], what: resource.disk)
            if let other = DiskSignature.parse(exitCode: data.exitCode, output: data.stdout), other != .nothing { return other }
        }
        return signature
    }

    /// The resource's device in the node's kernel: /proc/drbd by minor (DRBD 8), else
    /// `drbdsetup status NAME --verbose` (DRBD 9); nil when it is not up.
    private func device(_ transport: any Transport) async throws(SystemError) -> DRBDDeviceFacts? {
        let proc = try await run(transport, ["cat", "/proc/drbd"], what: "/proc/drbd")
        guard proc.succeeded else { return nil }
        let contents: ProcDRBDParser.Contents
        do { contents = try ProcDRBDParser.parse(proc.stdout) } catch { throw .drbdCannotRead(host: transport.host, what: "/proc/drbd", reason: error.description) }
        if let minor = resource.minor, let device = contents.devices.first(where: { $0.minor == minor }) { return device }
        if contents.version?.hasPrefix("8.") == true { return nil }
        let status = try await run(transport, ["drbdsetup", "status", resource.name, "--verbose"], what: "drbdsetup status")
        guard status.succeeded else { return nil }
        do { return try DRBDStatusParser.parse(status.stdout).first } catch { throw .drbdCannotRead(host: transport.host, what: "drbdsetup status", reason: error.description) }
    }

    private func readStates() async throws(SystemError) -> [String: DRBDDeviceFacts] {
        var states: [String: DRBDDeviceFacts] = [:]
        for node in resource.hosts {
            if let device = try await device(try transport(node.name)) { states[node.name] = device }
        }
        return states
    }

    private func waitUntil(_ what: String, within limit: Duration, _ done: ([String: DRBDDeviceFacts]) -> Bool) async throws(SystemError) -> [String: DRBDDeviceFacts] {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var states = try await readStates()
        while !(states.count == resource.hosts.count && done(states)) {
            guard clock.now < deadline else { throw .drbdTimedOut(resource: resource.name, waitingFor: what, state: Self.describe(states)) }
            try? await Task.sleep(for: .seconds(1))
            states = try await readStates()
        }
        return states
    }

    static func describe(_ states: [String: DRBDDeviceFacts]) -> String {
        states.keys.sorted().map { host in
            let state = states[host]!
            return "\(host) \(state.connection) \(state.role)/\(state.peerRole) \(state.disk)/\(state.peerDisk)" + (state.syncPercent.map { " \($0)%" } ?? "")
        }.joined(separator: "; ")
    }

    // MARK: - acting

    private func perform(_ step: DRBDBringUp.Step, _ events: (Event) -> Void) async throws(SystemError) {
        let transport = try transport(step.host)
        let result: CommandResult
        do { result = try await transport.run(Command(step.argv[0], Array(step.argv.dropFirst()), timeout: .seconds(120))) } catch {
            throw .drbdStepFailed(step, reason: error.description, cause: error.code)
        }
        guard result.succeeded else { throw .drbdStepFailed(step, reason: Self.said(result)) }
        events(.done(step))
    }

    private func run(_ transport: any Transport, _ argv: [String], what: String) async throws(SystemError) -> CommandResult {
        do { return try await transport.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30))) } catch {
            throw .drbdCannotRead(host: transport.host, what: what, reason: error.description, cause: error.code)
        }
    }

    static func said(_ result: CommandResult) -> String {
        let text = (result.stderr + "\n" + result.stdout).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return text.first ?? "exit \(result.exitCode.map(String.init) ?? "by a signal")"
    }
}

extension SystemError {
    static func drbdNoModule(host: String, reason: String) -> SystemError {
        SystemError(.noModule, "\(host): the drbd kernel module is not available (\(reason)); install a kernel with drbd.ko (Debian's has it) or drbd-dkms", host: host, reason: reason)
    }

    static func drbdCannotRead(host: String, what: String, reason: String, cause: Code? = nil) -> SystemError {
        SystemError(.commandFailed, "\(host): cannot read \(what): \(reason)", host: host, reason: reason, cause: cause)
    }

    static func drbdStepFailed(_ step: DRBDBringUp.Step, reason: String, cause: Code? = nil) -> SystemError {
        SystemError(.stepFailed, "\(step.host): `\(step.argv.joined(separator: " "))` failed: \(reason)", host: step.host, command: step.argv.joined(separator: " "), reason: reason, cause: cause)
    }

    static func drbdTimedOut(resource: String, waitingFor: String, state: String) -> SystemError {
        SystemError(.timedOut, "\(resource): still waiting for \(waitingFor) (\(state)); run `setup drbd` again once it is, it picks up where it stopped")
    }
}
