import ArgumentParser
import Foundation
import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import StorageSystem

struct Rehearse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live-migrate a canary VM between the hypervisors: the proof that a migration works.",
        discussion: """
            For each pair of KVM hypervisors (by default a ring, hv1→hv2→…→hvN→hv1, made per \
            storage among the hosts that have it) and each shared storage the spec gives them (an NFS mount path, a cluster file system, a \
            multipath device, a DRBD device), a canary VM is started on the source: paused, no \
            network, 64 MiB, its disk with cache=none at its real path (a 16 MiB image that \
            storagekit creates under a shared directory, run as qemu's account; a block device \
            opened read-only, as root). The destination starts the same VM waiting on its \
            address and a port of libvirt's migration range 49152-49215; the source migrates \
            over QMP; the destination resumes it. A pair passes when the migration completed, \
            the destination runs with the same disk at the same path, and the source let it go.

            Both VMs and the canary image are removed whatever happens: on success, failure, \
            timeout and Ctrl-C. Failures are named in check's words: rehearse.migration with \
            the pair, the storage, the step, the host at fault and the fix.

            Exit status: 0 every rehearsal passed, 1 one failed, 2 bad usage or spec (and Xen \
            clusters: `xl migrate` cannot be rehearsed with a canary; check covers Xen).

            JSON: {"ready", "findings": [{"check", "hosts", "status", "message", "fix"}], \
            "rehearsals": [{"pair", "passed", "failedStep", "failedOn", "error", "uri", \
            "stepsMs", "totalMs", …}], "durationMs"}.
            """)

    @OptionGroup var spec: SpecOptions
    @Option(name: .long, help: ArgumentHelp("Only the rehearsals of this hypervisor: from its ring predecessor, and to its successor.", valueName: "name")) var host: String?
    @Option(name: .long, help: ArgumentHelp("One pair: the source (with --to).", valueName: "name")) var from: String?
    @Option(name: .long, help: ArgumentHelp("One pair: the destination (with --from).", valueName: "name")) var to: String?
    @Flag(help: "Every ordered pair of hypervisors (N×(N−1)), not the ring.") var allPairs = false
    @Flag(help: "Run the canary's firmware while it migrates (default: paused, as a guest that is not running).") var live = false
    @Option(help: ArgumentHelp("Seconds each step may take (the migration included).", valueName: "seconds")) var timeout: Double = 60
    @Option(help: ArgumentHelp("Rehearsals at once.", valueName: "n")) var concurrency: Int = MigrationRehearser.defaultConcurrency
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        if (from == nil) != (to == nil) { throw ValidationError("give --from and --to together") }
        if from != nil && (allPairs || host != nil) { throw ValidationError("--from/--to name one pair: leave out --all-pairs and --host") }
        if allPairs && host != nil { throw ValidationError("--host picks the ring's pairs of one hypervisor: leave out --all-pairs") }
        if from != nil && from == to { throw ValidationError("--from and --to name the same host") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let (loaded, _) = try spec.loadValidated(printWarnings: false, reachesHosts: false)
        let cluster = loaded.spec
        try Self.refuseXen(cluster)
        for name in [host, from, to].compactMap({ $0 }) where !cluster.hypervisors.contains(where: { $0.name == name }) {
            Console.error(cluster.host(named: name) == nil ? "error: no host named \"\(name)\" in the spec" : "error: \(name) is not a hypervisor (rehearse migrates between hypervisors)")
            throw ExitCode(2)
        }
        try spec.refuseReachingALab(cluster)
        let selection: RehearsalSelection = if let from, let to { .pair(from: from, to: to) } else if allPairs { .allPairs } else { .ring }
        var pairs = cluster.rehearsalPairs(selection, among: cluster.hypervisors)
        if let host { pairs = pairs.filter { $0.source == host || $0.destination == host } }
        guard !pairs.isEmpty else {
            Console.error(cluster.hypervisors.count < 2
                ? "error: rehearse needs two hypervisors: the spec has \(cluster.hypervisors.count)"
                : "error: nothing to rehearse: the spec gives these hypervisors no shared storage in common (nfs.exports, iscsi LUNs, drbd resources)")
            throw ExitCode(2)
        }
        let results = await Self.rehearse(pairs, cluster: cluster, timeout: timeout, live: live, concurrency: concurrency, json: json)
        let findings = RehearsalRules.findings(results, spec: cluster, specFile: spec.spec)
        let report = CheckReport(findings: findings, durationMs: (clock.now - started).milliseconds)
        if json {
            try Console.json(RehearseReport(report: report, rehearsals: results))
        } else {
            print(CheckTable.render(report, cluster: cluster.cluster, hosts: Set(pairs.flatMap { [$0.source, $0.destination] }).count))
        }
        if !report.ready { throw ExitCode(1) }
    }

    /// The rehearsals, with a progress line on a terminal.
    static func rehearse(_ pairs: [RehearsalPair], cluster: ClusterSpec, timeout: Double, live: Bool, concurrency: Int, json: Bool) async -> [RehearsalResult] {
        let progress = ProgressLine(wanted: !json)
        let results = await RehearsalRun.rehearse(pairs, cluster: cluster, timeout: .milliseconds(Int(timeout * 1000)), live: live, concurrency: concurrency) { done, all in
            progress.show("rehearse: \(done) of \(all) migrations done")
        }
        progress.clear()
        return results
    }

    static func refuseXen(_ cluster: ClusterSpec) throws {
        guard cluster.migration.hypervisor == .xen else { return }
        Console.error("""
            error: rehearse migrates a canary qemu VM, which is what KVM's `virsh migrate` moves. \
            Xen's `xl migrate` moves a domain through the Xen toolstack, which cannot start a \
            canary domain without a real guest kernel; for Xen, `storagekit check` covers what a \
            migration needs: path.* (same path everywhere), nfs.canary.shared, drbd.*, \
            migration.port (xl over ssh, or xend's relocation port) and migration.disks.shared.
            """)
        throw ExitCode(2)
    }
}

/// `rehearse --json`: the findings as check gives them, and each rehearsal in detail.
struct RehearseReport: Encodable {
    var ready: Bool
    var verdict: String
    var findings: [Finding]
    var rehearsals: [RehearsalResult]
    var durationMs: Double

    init(report: CheckReport, rehearsals: [RehearsalResult]) {
        ready = report.ready
        verdict = report.verdict
        findings = report.findings
        self.rehearsals = rehearsals
        durationMs = report.durationMs
    }
}
