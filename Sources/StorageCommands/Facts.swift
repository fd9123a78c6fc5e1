import ArgumentParser
import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem

struct Facts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What this host sees of the cluster's storage, as JSON (what `storagekit check` gathers from every host).",
        discussion: """
            Run on a hypervisor: libiscsi logins to each portal of its targets, libnfs probes of the
            NFS server and its exports, TCP connects to the pinned ports and to the other
            hypervisors' migration ports, and the kernel's sessions, multipath maps and mounts.
            `check` runs `storagekit facts --request -` on each host with a JSON request on standard
            input (the spec, CHAP secrets, canary work); people use --spec and --host.
            Exit status: 0 facts printed, 2 bad usage or spec.
            """)

    @Option(help: ArgumentHelp("The cluster spec (YAML; - for standard input).", valueName: "file")) var spec: String?
    @Option(help: ArgumentHelp("The spec host this is.", valueName: "name")) var host: String?
    @Option(help: ArgumentHelp("Read a JSON request from this file (- for standard input).", valueName: "file")) var request: String?
    @Option(help: ArgumentHelp("Deadline of each probe, in seconds.", valueName: "seconds")) var timeout: Double = 3
    @Flag(help: "Accepted for symmetry with the other commands: the output is always one JSON document.") var json = false

    func validate() throws {
        if request == nil && (spec == nil || host == nil) { throw ValidationError("give --spec and --host (or --request)") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
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
        let spec: ClusterSpec
        do { spec = try SpecLoader.load(yaml: factsRequest.specYAML).spec } catch {
            Console.error("error: the spec sent for facts does not load: \(error)")
            throw ExitCode(2)
        }
        guard let host = spec.host(named: factsRequest.host) else {
            Console.error("error: no host named \"\(factsRequest.host)\" in the spec")
            throw ExitCode(2)
        }
        // A lab host's facts are gathered inside its namespaces, never from this machine's own
        // (lab addresses reached from here would leave the machine).
        if host.transport == .lab {
            guard !LabLayout.hasDefaultRoute else {
                guard request == nil else {
                    Console.error("error: \(host.name) is a lab host: run this inside it (storagekit lab exec --spec F \(host.name) -- storagekit facts …)")
                    throw ExitCode(2)
                }
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
                let again = try await transport.run(Command(ISCSIRun.storagekit(on: host)[0], ["facts", "--request", "-"], stdin: body))
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
        let collector = HostFactsCollector(
            spec: spec, host: host, secrets: secrets, probeTimeout: .milliseconds(factsRequest.probeTimeoutMs), version: StorageKit.version,
            namespaceLab: factsRequest.namespaceLab)
        switch factsRequest.mode {
        case .gather: try Console.json(await collector.gather(writeCanary: writeCanaries))
        case .readCanaries: try Console.json(await collector.canaries(factsRequest.canaries, remove: false))
        case .removeCanaries: try Console.json(await collector.canaries(factsRequest.canaries, remove: true))
        }
    }
}
