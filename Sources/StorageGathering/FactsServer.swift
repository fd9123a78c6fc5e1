import Foundation
import StorageFacts
import StorageModel
import StorageSystem

/// Answers `FactsRequest`s on this host: `storagekit facts --session` (one request per line,
/// one line of JSON each, what `check` starts on every host) and `facts --request`.
public struct FactsServer: Sendable {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notARequest
        case specDoesNotLoad(String)
        case unknownHost(String)
        /// A lab host's facts asked for in a namespace with a default route (lab addresses
        /// reached from here would leave the machine).
        case labHostHere(String)

        public var description: String {
            switch self {
            case .notARequest: "a facts request is not valid JSON of this storagekit version"
            case .specDoesNotLoad(let reason): "the spec sent for facts does not load: \(reason)"
            case .unknownHost(let name): "no host named \"\(name)\" in the spec"
            case .labHostHere(let name): "\(name) is a lab host: run this inside it (storagekit lab exec --spec F \(name) -- storagekit facts …)"
            }
        }
    }

    /// This storagekit's version, which every answer carries.
    public let version: String

    public init(version: String) { self.version = version }

    /// One request per line until `nextLine` says the input ended, each answered by `write`
    /// with one line of JSON (the same answer `--request` prints). The spec is loaded again
    /// only when it changes. Anything unexpected ends the session: the asker then reports the
    /// reason instead of waiting.
    public func serve(nextLine: () async -> String?, write: (Data) -> Void) async throws {
        var loaded: (yaml: String, spec: ClusterSpec)?
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        while let line = await nextLine() {
            guard !line.isEmpty else { continue }
            guard let request = try? JSONDecoder().decode(FactsRequest.self, from: Data(line.utf8)) else { throw Failure.notARequest }
            // An empty spec in a later request: the one this session already has.
            let spec = try loaded.flatMap { request.specYAML.isEmpty || $0.yaml == request.specYAML ? $0.spec : nil } ?? Self.load(request)
            if !request.specYAML.isEmpty { loaded = (request.specYAML, spec) }
            let host = try Self.host(of: request, in: spec)
            if host.transport == .lab && LabLayout.hasDefaultRoute { throw Failure.labHostHere(host.name) }
            let answer = await self.answer(request, spec: spec, host: host, secrets: request.secrets, writeCanaries: request.writeCanaries != false)
            write(try encoder.encode(answer) + Data("\n".utf8))
        }
    }

    public static func load(_ request: FactsRequest) throws(Failure) -> ClusterSpec {
        do { return try SpecLoader.load(yaml: request.specYAML).spec } catch { throw .specDoesNotLoad("\(error)") }
    }

    public static func host(of request: FactsRequest, in spec: ClusterSpec) throws(Failure) -> StorageModel.Host {
        guard let host = spec.host(named: request.host) else { throw .unknownHost(request.host) }
        return host
    }

    public func answer(_ request: FactsRequest, spec: ClusterSpec, host: StorageModel.Host, secrets: [String: String], writeCanaries: Bool) async -> any Encodable {
        let collector = HostFactsCollector(
            spec: spec, host: host, secrets: secrets, probeTimeout: .milliseconds(request.probeTimeoutMs), version: version,
            kernelNotOwn: .some(request.kernelNotOwn), toolCache: ToolOutputCache())
        switch request.mode {
        case .gather:
            return await collector.gather(
                writeCanary: writeCanaries, migrationPeers: request.migrationPeers, migrationSweeps: request.migrationSweeps, areas: Set(request.areas ?? []))
        case .readCanaries: return await collector.canaries(read: request.canaries, remove: request.removeAfterReading ?? [])
        case .removeCanaries: return await collector.canaries(read: [], remove: request.canaries)
        }
    }
}
