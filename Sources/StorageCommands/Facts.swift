import ArgumentParser
import Foundation
import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import StorageSystem

struct Facts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What this host sees of the cluster's storage, as JSON (what `storagekit check` gathers from every host).",
        discussion: """
            Run on a hypervisor: libiscsi logins to each portal of its targets, libnfs probes of the \
            NFS server and its exports, TCP connects to the pinned ports and to the other \
            hypervisors' migration ports, and the kernel's sessions, multipath maps and mounts. \
            `check` runs `storagekit facts --session` on each host and sends it one JSON request per \
            line on standard input (the spec, CHAP secrets, canary work), answered with one line of \
            JSON each, so all of a check's rounds cost one process per host; `--request -` answers \
            one request and exits. People use --spec and --host.
            Exit status: 0 facts printed, 2 bad usage or spec.
            """)

    @Option(help: ArgumentHelp("The cluster spec (YAML; - for standard input).", valueName: "file")) var spec: String?
    @Option(help: ArgumentHelp("The spec host this is.", valueName: "name")) var host: String?
    @Option(help: ArgumentHelp("Read a JSON request from this file (- for standard input).", valueName: "file")) var request: String?
    @Flag(help: "Answer JSON requests, one per line on standard input, with one line of JSON each, until standard input closes.") var session = false
    @Option(help: ArgumentHelp("Deadline of each probe, in seconds.", valueName: "seconds")) var timeout: Double = 3
    @Flag(help: "Accepted for symmetry with the other commands: the output is always one JSON document.") var json = false

    func validate() throws {
        if session && (request != nil || spec != nil) { throw ValidationError("--session reads its requests from standard input: give neither --request nor --spec") }
        if !session && request == nil && (spec == nil || host == nil) { throw ValidationError("give --spec and --host (or --request, or --session)") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        if session { return try await Self.serve() }
        let factsRequest: FactsRequest
        if let request {
            let data = request == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: request)
            guard let data, let decoded = try? JSONDecoder().decode(FactsRequest.self, from: data) else {
                Console.error("error: the facts request is not valid JSON of this storagekit version")
                throw ExitCode(2)
            }
            factsRequest = decoded
        } else if let spec, let host {
            let text = spec == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : try? String(contentsOfFile: spec, encoding: .utf8)
            guard let text, !text.isEmpty else {
                Console.error("\(spec): cannot read the spec file (does it exist?)")
                throw ExitCode(2)
            }
            factsRequest = FactsRequest(host: host, specYAML: text, probeTimeoutMs: Int(timeout * 1000))
        } else {
            throw ExitCode(2)
        }
        let spec = try Self.load(factsRequest)
        let host = try Self.host(of: factsRequest, in: spec)
        // A lab host's facts are gathered inside its namespaces, never from this machine's own
        // (lab addresses reached from here would leave the machine).
        if host.transport == .lab {
            guard !LabLayout.hasDefaultRoute else {
                guard request == nil else { throw Self.refuseLabHostHere(host) }
                let transport: any Transport
                do { transport = try HostContext.make(spec, host: host).transport } catch {
                    Console.error("error: \(error)")
                    throw ExitCode(2)
                }
                var inside = factsRequest
                inside.secrets = SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: spec)
                inside.writeCanaries = false
                inside.namespaceLab = transport.isNamespaceLab
                let body = String(decoding: try JSONEncoder().encode(inside), as: UTF8.self)
                let again = try await transport.run(Command(StorageKitOnHost.argv(on: host, in: spec)[0], ["facts", "--request", "-"], stdin: body))
                FileHandle.standardOutput.write(Data(again.stdout.utf8))
                FileHandle.standardError.write(Data(again.stderr.utf8))
                throw ExitCode(again.exitCode ?? 1)
            }
        }
        var secrets = factsRequest.secrets
        let writeCanaries = request != nil && factsRequest.writeCanaries != false
        if request == nil {
            secrets = SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: spec)
        }
        try Console.json(await Self.answer(factsRequest, spec: spec, host: host, secrets: secrets, writeCanaries: writeCanaries))
    }

    static func load(_ request: FactsRequest) throws -> ClusterSpec {
        do { return try SpecLoader.load(yaml: request.specYAML).spec } catch {
            Console.error("error: the spec sent for facts does not load: \(error)")
            throw ExitCode(2)
        }
    }

    static func host(of request: FactsRequest, in spec: ClusterSpec) throws -> StorageModel.Host {
        guard let host = spec.host(named: request.host) else {
            Console.error("error: no host named \"\(request.host)\" in the spec")
            throw ExitCode(2)
        }
        return host
    }

    /// A lab host's facts asked for in a namespace with a default route (lab addresses reached
    /// from here would leave the machine).
    static func refuseLabHostHere(_ host: StorageModel.Host) -> ExitCode {
        Console.error("error: \(host.name) is a lab host: run this inside it (storagekit lab exec --spec F \(host.name) -- storagekit facts …)")
        return ExitCode(2)
    }

    static func answer(_ request: FactsRequest, spec: ClusterSpec, host: StorageModel.Host, secrets: [String: String], writeCanaries: Bool) async -> any Encodable {
        let collector = HostFactsCollector(
            spec: spec, host: host, secrets: secrets, probeTimeout: .milliseconds(request.probeTimeoutMs), version: StorageKit.version,
            namespaceLab: request.namespaceLab, toolCache: ToolOutputCache())
        switch request.mode {
        case .gather: return await collector.gather(writeCanary: writeCanaries, migrationPeers: request.migrationPeers, migrationSweeps: request.migrationSweeps, areas: Set(request.areas ?? []))
        case .readCanaries: return await collector.canaries(read: request.canaries, remove: request.removeAfterReading ?? [])
        case .removeCanaries: return await collector.canaries(read: [], remove: request.canaries)
        }
    }

    /// One request per line until standard input closes, each answered with one line of JSON
    /// (the same answer `--request` prints). The spec is loaded again only when it changes.
    /// Anything unexpected ends the session with the reason on standard error: the asker then
    /// reports it instead of waiting.
    static func serve() async throws {
        var loaded: (yaml: String, spec: ClusterSpec)?
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        while let line = await Self.nextLine() {
            guard !line.isEmpty else { continue }
            guard let request = try? JSONDecoder().decode(FactsRequest.self, from: Data(line.utf8)) else {
                Console.error("error: a facts request is not valid JSON of this storagekit version")
                throw ExitCode(2)
            }
            // An empty spec in a later request: the one this session already has.
            let spec = try loaded.flatMap { request.specYAML.isEmpty || $0.yaml == request.specYAML ? $0.spec : nil } ?? Self.load(request)
            if !request.specYAML.isEmpty { loaded = (request.specYAML, spec) }
            let host = try Self.host(of: request, in: spec)
            if host.transport == .lab && LabLayout.hasDefaultRoute { throw Self.refuseLabHostHere(host) }
            let answer = await Self.answer(request, spec: spec, host: host, secrets: request.secrets, writeCanaries: request.writeCanaries != false)
            FileHandle.standardOutput.write(try encoder.encode(answer) + Data("\n".utf8))
        }
    }

    /// A line of standard input, read on a thread of its own (not one of the few the async
    /// runtime has); nil at its end.
    static func nextLine() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readLine(strippingNewline: true)) }
        }
    }
}
