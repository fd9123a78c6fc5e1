import Foundation
import StorageFacts
import StorageModel
import StorageSystem

/// `facts --spec F --host H` for a lab host, asked from a namespace with a default route: the
/// facts are gathered by storagekit inside the host's namespaces, never from this machine's own
/// (lab addresses reached from here would leave the machine).
public enum FactsInsideLab {
    /// The host's transport cannot be made (its lab is not up, …).
    public struct Unreachable: Error, Sendable, CustomStringConvertible {
        public let reason: SystemError
        public var description: String { reason.description }
    }

    /// True when `host`'s facts cannot be gathered in this namespace.
    public static func needed(for host: StorageModel.Host) -> Bool {
        host.transport == .lab && LabLayout.hasDefaultRoute
    }

    /// What `storagekit facts --request -` (`program`) said inside the host: the secrets it
    /// needs go with the request on its standard input, canaries are not written.
    public static func ask(_ request: FactsRequest, spec: ClusterSpec, host: StorageModel.Host, program: String) async throws -> CommandResult {
        let transport: any Transport
        do { transport = try HostContext.make(spec, host: host).transport } catch { throw Unreachable(reason: error) }
        var inside = request
        inside.secrets = SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: spec)
        inside.writeCanaries = false
        inside.kernelNotOwn = transport.isNamespaceLab ? HostFactsCollector.namespaceReason : nil
        let body = String(decoding: try JSONEncoder().encode(inside), as: UTF8.self)
        return try await transport.run(Command(program, ["facts", "--request", "-"], stdin: body))
    }
}
