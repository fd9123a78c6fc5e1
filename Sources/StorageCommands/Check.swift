import ArgumentParser
import Foundation
import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import StorageSystem

extension CheckArea: ExpressibleByArgument {}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove the cluster is ready for live migration, or say exactly what to fix.",
        discussion: """
            Asks each hypervisor for its facts through its transport (`storagekit facts` there: \
            libiscsi logins on every portal with its own initiator name and CHAP, libnfs probes \
            and a canary file, TCP connects to the pinned NFS ports and to peers' migration \
            ports, sessions, multipath maps and mounts from the kernel), then judges them with \
            the rules in docs/checks.md. In the lab, facts only a kernel or a hypervisor can give \
            are `skip`, never `pass`.

            At most --concurrency hypervisors are asked at once, and each one's --timeout starts \
            when it is asked. A hypervisor the check had no time left to ask is "not checked": \
            the verdict is then NOT PROVED, never READY. Migration ports and NFS canaries are \
            checked between ring neighbours (hv1→hv2→…→hvN→hv1, plus one host of each other \
            storage network); --all-pairs checks every ordered pair.

            Exit status: 0 READY, 1 NOT READY or NOT PROVED, 2 bad usage or spec.

            JSON: {"ready", "findings": [{"check", "hosts", "status", "message", "fix"}], \
            "durationMs", "notChecked", "phasesMs": {"facts", "canaryReads", "canaryRemoval", \
            "slowestHost", "rules", "rehearse"}}.
            """)

    @OptionGroup var spec: SpecOptions
    @Option(name: .long, help: ArgumentHelp("Only these hypervisors (repeatable; default all).", valueName: "name")) var host: [String] = []
    @Option(name: .long, help: ArgumentHelp("Only these checks (repeatable); iscsi and nfs bring the same-path checks with them.", valueName: "area")) var only: [CheckArea] = []
    @Option(help: ArgumentHelp("Seconds each host has to answer, from when it is asked.", valueName: "seconds")) var timeout: Double = 10
    @Option(help: ArgumentHelp("Hypervisors asked at once.", valueName: "n")) var concurrency: Int = ClusterFactsGatherer.defaultConcurrency
    @Flag(help: "Probe migration ports and read NFS canaries between every ordered pair of hypervisors, not ring neighbours.") var allPairs = false
    @Flag(help: "Then live-migrate a canary VM around the ring of hypervisors (storagekit rehearse): one verdict for both.") var rehearse = false
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let (loaded, diagnostics) = try spec.loadValidated(printWarnings: false)
        let cluster = loaded.spec
        if rehearse { try Rehearse.refuseXen(cluster) }
        var hosts = cluster.hypervisors
        if !host.isEmpty {
            for name in host where !hosts.contains(where: { $0.name == name }) {
                Console.error(cluster.host(named: name) == nil ? "error: no host named \"\(name)\" in the spec" : "error: \(name) is not a hypervisor (check asks hypervisors)")
                throw ExitCode(2)
            }
            hosts = hosts.filter { host.contains($0.name) }
        }
        let specYAML = (try? String(contentsOfFile: spec.spec, encoding: .utf8)) ?? ""
        let options = ClusterCheck.Options(
            hosts: hosts, timeout: .milliseconds(Int(timeout * 1000)), concurrency: concurrency, allPairs: allPairs, areas: Set(only), rehearse: rehearse)
        let progress = ProgressLine(wanted: !json)
        let outcome = await ClusterCheck(spec: cluster, specYAML: specYAML, specFile: spec.spec, diagnostics: diagnostics, options: options).run { event in
            switch event {
            case .factsAnswered(let done, let all): progress.show("facts: \(done) of \(all) hypervisors answered")
            case .rehearsed(let done, let all): progress.show("rehearse: \(done) of \(all) migrations done")
            case .factsGathered, .rehearsalsDone: progress.clear()
            }
        }
        let report = outcome.report
        if json && rehearse {
            try Console.json(RehearseReport(report: report, rehearsals: outcome.rehearsals))
        } else if json {
            try Console.json(report)
        } else {
            print(CheckTable.render(report, cluster: cluster.cluster, hosts: hosts.count))
        }
        if !report.ready { throw ExitCode(1) }
    }
}

/// The human form: findings grouped by the hosts they concern, problems first, fixes under
/// them, and the verdict on the last line.
enum CheckTable {
    static func render(_ report: CheckReport, cluster: String, hosts: Int) -> String {
        var groups: [(key: String, findings: [Finding])] = []
        for finding in report.findings {
            let key = finding.hosts.isEmpty ? "cluster \(cluster)" : finding.hosts.joined(separator: ", ")
            if let index = groups.firstIndex(where: { $0.key == key }) { groups[index].findings.append(finding) } else { groups.append((key, [finding])) }
        }
        let width = report.findings.map(\.check.rawValue.count).max() ?? 10
        var lines: [String] = []
        for group in groups {
            lines.append(group.key)
            for finding in group.findings.sorted(by: { $0.status < $1.status }) {
                let mark = [Finding.Status.pass: "ok  ", .fail: "FAIL", .warn: "warn", .skip: "skip"][finding.status] ?? ""
                lines.append("  \(mark) \(finding.check.rawValue.padding(toLength: width, withPad: " ", startingAt: 0))  \(finding.message)")
                if let fix = finding.fix, finding.status != .pass {
                    lines.append("       \(String(repeating: " ", count: width))  \(finding.status == .skip ? "why" : "fix"): \(fix)")
                }
            }
        }
        lines.append("")
        lines.append("\(report.verdict)   (\(hosts) hypervisor\(hosts == 1 ? "" : "s"), \(String(format: "%.1f", report.durationMs / 1000)) s)")
        return lines.joined(separator: "\n")
    }
}
