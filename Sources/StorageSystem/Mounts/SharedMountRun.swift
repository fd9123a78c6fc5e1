import StorageModel
import StorageRender

/// `mount` on each hypervisor named: pre-flight, the .mount unit and fstab block through the
/// apply engine, then the mounts, checked with findmnt (`SharedMounter`).
public struct SharedMountRun: Sendable {
    public let spec: ClusterSpec

    public init(spec: ClusterSpec) { self.spec = spec }

    /// The hosts named, or every host with a shared mount when none is.
    public func hosts(named requested: [String]) throws(SystemError) -> [Host] {
        let mounting = spec.hosts.filter { !spec.sharedMounts(of: $0).isEmpty }
        guard !requested.isEmpty else { return mounting }
        return try requested.map { name throws(SystemError) in
            guard let host = mounting.first(where: { $0.name == name }) else { throw SystemError(.invalidRequest, "\(name) has no shared mount in the spec (a hypervisor of a spec with nfs exports or a cluster filesystem)", host: name) }
            return host
        }
    }

    public func mount(_ host: Host, dryRun: Bool) async -> HostStepReport {
        var steps: [HostStep] = []
        var failure: String?
        do {
            let context = try HostContext.make(spec, host: host)
            let mounter = SharedMounter(spec: spec, context: context)
            try await mounter.preflight()
            var planner = HostPlanner(spec: spec, context: context, secrets: [:], parts: [.hypervisor])
            planner.fileFilter = { $0.hasSuffix(".mount") || $0 == "/etc/fstab" }
            let plan = try await planner.plan()
            if dryRun {
                steps += plan.actions.map { HostStep(ok: true, text: "would \($0.summary)") }
            } else {
                steps += try await Applier(context: context, secrets: [:]).apply(plan).done.map { HostStep(ok: true, text: $0) }
            }
            steps += try await mounter.mountAll(dryRun: dryRun)
        } catch let error as SystemError where error.steps != nil {
            steps += error.steps ?? []
            failure = error.message
        } catch {
            failure = "\(error)"
        }
        return HostStepReport(host: host.name, steps: steps, error: failure)
    }
}
