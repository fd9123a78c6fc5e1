import StorageModel
import StorageRender

/// plan → (apply) → (verify) → (follow-up) for a set of hosts: the engine of plan, apply, setup
/// and firewall apply. The first host that fails stops the run.
public struct ChangeRun: Sendable {
    public enum Mode: Sendable {
        /// Plan and print, change nothing (`plan`, `--dry-run`).
        case plan
        case apply
    }

    public struct Result: Sendable {
        public var report: ChangeReport
        /// A host failed to plan, apply or verify, or the follow-up failed.
        public var failed: Bool
    }

    public var spec: ClusterSpec
    public var scope: ChangeScope
    public var mode: Mode
    public var force = false
    public var firewallConfirmation: FirewallConfirmation = .off

    public init(spec: ClusterSpec, scope: ChangeScope, mode: Mode) {
        self.spec = spec
        self.scope = scope
        self.mode = mode
    }

    /// The hosts named (all the scope concerns when none is), each checked against the scope.
    public func hosts(named requested: [String]) throws(SystemError) -> [Host] {
        let names = requested.isEmpty ? scope.defaultHosts(spec) : requested
        if names.isEmpty { throw SystemError(.invalidRequest, "no host of the spec needs this (check roles and `firewall.manage`)") }
        return try names.map { name throws(SystemError) in
            guard let host = spec.host(named: name) else { throw SystemError(.invalidRequest, "no host named \"\(name)\" in the spec (hosts: \(spec.hosts.map(\.name).joined(separator: ", ")))") }
            if let reason = scope.refuseHost(spec, host) { throw SystemError(.invalidRequest, reason, host: name) }
            return host
        }
    }

    /// Throws only when a host cannot be reached at all (its transport cannot be made).
    public func run(_ hosts: [Host], events: @Sendable (ChangeEvent) -> Void) async throws(SystemError) -> Result {
        let runID = Applier.newRunID()
        var report = ChangeReport(dryRun: mode == .plan, changes: 0, hosts: [])
        var failed = false
        for host in hosts {
            let name = host.name
            let context = try HostContext.make(spec, host: host)
            let secrets = SecretFiles(fileSystem: LocalFileSystem()).read(HostRenderer.secretFiles(spec, host: name))
            let plan: HostPlan
            do {
                plan = try await HostPlanner(spec: spec, context: context, secrets: secrets, parts: scope.parts).plan()
            } catch {
                report.hosts.append(HostChangeReport(host: name, actions: [], conflicts: [], notes: [], error: error.description))
                events(.planFailed(host: name, error))
                failed = true
                break
            }
            var hostReport = HostChangeReport(
                host: name, actions: plan.actions.map { .init(kind: $0.kind, summary: $0.summary, diff: $0.diff) },
                conflicts: plan.conflicts.map(\.description), notes: plan.notes)
            report.changes += plan.actions.count
            events(.planned(plan, transport: host.transport))
            if mode == .plan {
                report.hosts.append(hostReport)
                continue
            }
            var applier = Applier(context: context, secrets: secrets, runID: runID)
            applier.force = force
            applier.confirmFirewallWithin = firewallConfirmation.delay(on: host)
            do {
                let outcome = try await applier.apply(plan)
                hostReport.done = outcome.done
                hostReport.backup = outcome.backup
                hostReport.notes += outcome.notes
                events(.applied(host: name, outcome))
            } catch {
                hostReport.error = error.description
                report.hosts.append(hostReport)
                events(.applyFailed(host: name, error))
                failed = true
                break
            }
            if let verify = scope.verify {
                let lines = await verify(spec, context)
                hostReport.verified = lines
                events(.verified(host: name, lines))
                if lines.contains(where: { !$0.ok }) { failed = true }
            }
            report.hosts.append(hostReport)
        }
        if !failed, let followUp = scope.followUp {
            let result = await followUp.run(spec, hosts: hosts.map(\.name), dryRun: mode == .plan, events: events)
            report.followUp = result
            events(.followedUp(result))
            if result.failed { failed = true }
        }
        return Result(report: report, failed: failed)
    }
}
