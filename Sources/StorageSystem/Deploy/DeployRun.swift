import StorageModel

/// `deploy` on many hosts: at most `concurrency` copies at once, results in the hosts' order.
public struct DeployRun: Sendable {
    public let spec: ClusterSpec
    public let source: DeploySource
    public let destination: String
    public let dryRun: Bool
    public let concurrency: Int

    public init(spec: ClusterSpec, source: DeploySource, destination: String, dryRun: Bool, concurrency: Int) {
        self.spec = spec
        self.source = source
        self.destination = destination
        self.dryRun = dryRun
        self.concurrency = concurrency
    }

    /// `progress` gets how many hosts are done, each time one is.
    public func run(_ hosts: [Host], progress: (Int) -> Void) async -> [DeployResult] {
        let lab = try? LabLayout(spec: spec)
        return await hosts.concurrentMap(limit: concurrency, done: progress) { _, target in await deploy(target, lab: lab) }
    }

    private func deploy(_ target: Host, lab: LabLayout?) async -> DeployResult {
        do {
            let context = try HostContext.make(spec, host: target, lab: lab)
            return await Deployer(context: context, source: source, destination: destination).deploy(dryRun: dryRun)
        } catch {
            return DeployResult(host: target.name, state: .failed, path: destination, before: nil, message: "\(error)")
        }
    }
}
