import StorageModel

/// Runs one initiator job (`ISCSIInitiator`'s login, status, …, or `MultipathSetup`) on each
/// hypervisor named, one after the other.
public struct InitiatorRun: Sendable {
    public let spec: ClusterSpec
    /// The storagekit program on a host (the pre-flight runs `storagekit` there).
    public let storagekit: @Sendable (Host) -> [String]

    public init(spec: ClusterSpec, storagekit: @escaping @Sendable (Host) -> [String]) {
        self.spec = spec
        self.storagekit = storagekit
    }

    /// The hosts named, or every initiator of a target when none is.
    public func hosts(named requested: [String]) throws(SystemError) -> [Host] {
        let initiators = spec.hosts.filter { !ISCSINode.all(spec, host: $0).isEmpty }
        guard !requested.isEmpty else { return initiators }
        return try requested.map { name throws(SystemError) in
            guard let host = spec.host(named: name) else { throw SystemError(.invalidRequest, "no host named \"\(name)\" in the spec") }
            guard initiators.contains(where: { $0.name == name }) else { throw SystemError(.invalidRequest, "\(name) is an initiator of no target (see iscsi.targets[].initiators)", host: name) }
            return host
        }
    }

    /// `each` gets every host's report as soon as it is done.
    public func run(
        _ hosts: [Host], job: (ISCSIInitiator) async throws -> ISCSIInitiator.Outcome, each: (HostStepReport) -> Void
    ) async -> [HostStepReport] {
        let secrets = SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: spec)
        var reports: [HostStepReport] = []
        for host in hosts {
            let report: HostStepReport
            do {
                let context = try HostContext.make(spec, host: host)
                let (steps, failure) = try await job(ISCSIInitiator(spec: spec, context: context, secrets: secrets, storagekit: storagekit(host)))
                report = HostStepReport(host: host.name, steps: steps, error: failure)
            } catch {
                report = HostStepReport(host: host.name, steps: [], error: "\(error)")
            }
            reports.append(report)
            each(report)
        }
        return reports
    }
}
