import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem

/// `storagekit check` as one run: each hypervisor's facts through its transport, the spec's
/// diagnostics and the readiness rules, and with `rehearse` a canary VM migrated around the
/// ring; the report carries the time of each phase. Progress reaches the caller as events.
public struct ClusterCheck: Sendable {
    public enum Event: Sendable, Equatable {
        /// `done` of `of` hypervisors have answered (or been given up).
        case factsAnswered(done: Int, of: Int)
        case factsGathered
        /// `done` of `of` rehearsals have ended.
        case rehearsed(done: Int, of: Int)
        case rehearsalsDone
    }

    public struct Options: Sendable {
        public var hosts: [StorageModel.Host]
        public var timeout: Duration
        public var concurrency: Int
        public var allPairs: Bool
        public var areas: Set<CheckArea>
        public var rehearse: Bool

        public init(hosts: [StorageModel.Host], timeout: Duration, concurrency: Int, allPairs: Bool, areas: Set<CheckArea>, rehearse: Bool) {
            self.hosts = hosts
            self.timeout = timeout
            self.concurrency = concurrency
            self.allPairs = allPairs
            self.areas = areas
            self.rehearse = rehearse
        }
    }

    public struct Outcome: Sendable {
        public var report: CheckReport
        public var rehearsals: [RehearsalResult]
    }

    let spec: ClusterSpec
    let specYAML: String
    let specFile: String
    let diagnostics: [Diagnostic]
    let options: Options

    public init(spec: ClusterSpec, specYAML: String, specFile: String, diagnostics: [Diagnostic], options: Options) {
        self.spec = spec
        self.specYAML = specYAML
        self.specFile = specFile
        self.diagnostics = diagnostics
        self.options = options
    }

    public func run(events: @escaping @Sendable (Event) -> Void) async -> Outcome {
        let clock = ContinuousClock()
        let started = clock.now
        let cluster = spec
        let lab = try? LabLayout(spec: cluster)
        let gatherer = ClusterFactsGatherer(
            spec: cluster, specYAML: specYAML, secrets: SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: cluster), hosts: options.hosts,
            timeout: options.timeout, transport: { host in try HostContext.make(cluster, host: host, lab: lab).transport },
            storagekit: { StorageKitOnHost.argv(on: $0, in: cluster) }, concurrency: options.concurrency, allPairs: options.allPairs,
            areas: options.areas, progress: { done, all in events(.factsAnswered(done: done, of: all)) })
        let facts = await gatherer.gather()
        events(.factsGathered)
        var findings = SpecRules.findings(diagnostics, specFile: specFile)
        let judging = clock.now
        let context = CheckContext(spec: cluster, facts: facts, specFile: specFile, hypervisors: options.hosts, allPairs: options.allPairs)
        findings += ReadinessRules.evaluate(context, areas: options.areas)
        var phases = facts.phasesMs ?? [:]
        phases[.rules] = (clock.now - judging).milliseconds
        var rehearsals: [RehearsalResult] = []
        if options.rehearse {
            let rehearsing = clock.now
            let pairs = cluster.rehearsalPairs(.ring, among: options.hosts)
            rehearsals = await RehearsalRun.rehearse(
                pairs, cluster: cluster, timeout: max(options.timeout, .seconds(10)), live: false, concurrency: MigrationRehearser.defaultConcurrency,
                progress: { done, all in events(.rehearsed(done: done, of: all)) })
            events(.rehearsalsDone)
            findings += RehearsalRules.findings(rehearsals, spec: cluster, specFile: specFile)
            if pairs.isEmpty {
                findings.append(Finding(.rehearseMigration, hosts: [], .skip, "nothing to rehearse: fewer than two hypervisors share storage"))
            }
            phases[.rehearse] = (clock.now - rehearsing).milliseconds
        }
        let report = CheckReport(findings: findings, durationMs: (clock.now - started).milliseconds, phasesMs: phases, notChecked: facts.notChecked)
        return Outcome(report: report, rehearsals: rehearsals)
    }
}
