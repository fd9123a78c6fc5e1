import StorageFacts
import StorageModel

/// The readiness rules: facts in, findings out. Pure, so every rule is tested on fact fixtures.
public enum ReadinessRules {
    /// Every finding for `areas` (all when empty), failures first within each area, passes merged
    /// across hosts.
    public static func evaluate(_ context: CheckContext, areas: Set<CheckArea> = []) -> [Finding] {
        let wanted = CheckArea.gathered(for: areas)
        var findings = HostRules.evaluate(context) + FirewallRule.evaluate(context)
        if wanted.contains(.iscsi) { findings += ISCSIReadinessRules.evaluate(context) }
        if wanted.contains(.nfs) { findings += NFSReadinessRules.evaluate(context) }
        if wanted.contains(.path) { findings += PathRules.evaluate(context) }
        if wanted.contains(.migration) { findings += MigrationRules.evaluate(context) }
        if wanted.contains(.drbd) { findings += DRBDReadinessRules.evaluate(context) }
        if areas.contains(.drbd) && (context.spec.drbd?.resources ?? []).isEmpty {
            findings.append(Finding(.drbdState, hosts: [], .skip, "the spec has no DRBD resources", fix: "nothing to check"))
        }
        return findings.merged()
    }
}

/// Whether each hypervisor answered at all.
enum HostRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        context.hypervisors.map { host in
            switch context.facts.hosts[host.name] {
            case .answered(let facts)?:
                if let theirs = facts.build, let ours = context.facts.build, theirs != ours {
                    return Finding(.hostFacts, hosts: [host.name], .warn,
                                   "answered, but runs another storagekit build (\(facts.version), build \(theirs.prefix(12)); this one: build \(ours.prefix(12)))",
                                   fix: context.command("deploy --host \(host.name)"))
                }
                return Finding(.hostFacts, hosts: [host.name], .pass, "answered with its facts")
            case .needsDeploy(let reason)?:
                return Finding(.hostFacts, hosts: [host.name], .fail, "gave no facts: \(reason)", fix: context.command("deploy --host \(host.name)"))
            case .silent(let reason)?:
                return Finding(.hostFacts, hosts: [host.name], .fail, "gave no facts: \(reason)",
                               fix: host.transport.reachabilityCheck(of: host, specFile: context.specFile))
            case .notChecked(let reason)?:
                return Finding(.hostFacts, hosts: [host.name], .skip, "not checked", fix: reason)
            case nil:
                return Finding(.hostFacts, hosts: [host.name], .fail, "was not asked for facts", fix: "run check without --host, or name this host")
            }
        }
    }
}
