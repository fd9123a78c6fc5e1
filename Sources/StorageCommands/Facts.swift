import ArgumentParser
import Foundation
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
        if session { return try await Self.serveSession() }
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
        let server = FactsServer(version: StorageKit.version)
        let spec = try await Self.usage { try FactsServer.load(factsRequest) }
        let host = try await Self.usage { try FactsServer.host(of: factsRequest, in: spec) }
        if FactsInsideLab.needed(for: host) {
            guard request == nil else {
                Console.error("error: \(FactsServer.Failure.labHostHere(host.name))")
                throw ExitCode(2)
            }
            let again = try await Self.usage { try await FactsInsideLab.ask(factsRequest, spec: spec, host: host, program: StorageKitOnHost.argv(on: host, in: spec)[0]) }
            FileHandle.standardOutput.write(Data(again.stdout.utf8))
            FileHandle.standardError.write(Data(again.stderr.utf8))
            throw ExitCode(again.exitCode ?? 1)
        }
        // A person asking (--spec, --host): this machine's secret files, and no canary left behind.
        let secrets = request == nil ? SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: spec) : factsRequest.secrets
        let writeCanaries = request != nil && factsRequest.writeCanaries != false
        try Console.json(await server.answer(factsRequest, spec: spec, host: host, secrets: secrets, writeCanaries: writeCanaries))
    }

    /// `facts --session`: standard input and output wired to a `FactsServer`.
    static func serveSession() async throws {
        try await usage {
            try await FactsServer(version: StorageKit.version).serve(nextLine: StandardInput.nextLine) { FileHandle.standardOutput.write($0) }
        }
    }

    /// A request, spec or host that cannot be answered is bad usage: its reason and exit 2.
    private static func usage<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as FactsServer.Failure {
            Console.error("error: \(error)")
            throw ExitCode(2)
        } catch let error as FactsInsideLab.Unreachable {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
    }
}
