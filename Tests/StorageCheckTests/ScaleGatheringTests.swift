import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing
import StorageFacts
@testable import StorageGathering

/// The gatherer at scale: a bounded number of hosts asked at once, each host's time counted
/// from when it is asked, and hosts the check had no time left for "not checked", never silent.
@Suite struct ScaleGatheringTests {
    @Test func neverMoreHostsAtOnceThanTheConcurrencyAndEveryOneAnswers() async {
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let meter = InFlight()
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors, timeout: .seconds(20),
            transport: { host in server.slowHost(host.name, delay: .milliseconds(100), meter: meter) },
            storagekit: { _ in ["storagekit"] }, concurrency: 2)
        let facts = await gatherer.gather()
        #expect(facts.hosts.values.allSatisfy { $0.facts != nil })
        #expect(server.requests.filter { $0.request.mode == .gather }.count == 3)
        // Facts requests are the bounded ones: at most 2 of 3 at once, and 2 reached.
        #expect(meter.highest(.gather) == 2)
    }

    @Test func aHostAskedLateIsJudgedByItsOwnTimeNotTheChecks() async {
        // One at a time, a 2 s timeout (a slot is held 0.2 s), 1.75 s each: hv3 is asked at
        // ≈ 0.4 s and answers at ≈ 2.15 s, after the check's first 2 s but within its own.
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors, timeout: .seconds(2),
            transport: { host in server.slowHost(host.name, delay: .milliseconds(1750), meter: InFlight()) },
            storagekit: { _ in ["storagekit"] }, concurrency: 1)
        let facts = await gatherer.gather()
        for name in ["hv1", "hv2", "hv3"] {
            #expect(facts.hosts[name]?.facts != nil, "\(name): \(String(describing: facts.hosts[name]))")
        }
    }

    @Test func hostsNeverAskedBeforeTheRoundEndsAreNotCheckedAndTheVerdictIsNotProved() async {
        // One at a time, a 1 s round, a slot held 0.1 s: about ten of fifteen hosts are asked,
        // the rest never are.
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let hosts = (1...15).map { Host(name: "hv\($0)", addresses: ["10.99.1.\(10 + $0)"], roles: [.hypervisor]) }
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: hosts, timeout: .seconds(1),
            transport: { host in server.slowHost(host.name, delay: .milliseconds(700), meter: InFlight()) },
            storagekit: { _ in ["storagekit"] }, concurrency: 1)
        let facts = await gatherer.gather()
        #expect(facts.hosts["hv1"]?.facts != nil && facts.hosts["hv2"]?.facts != nil)
        for name in ["hv13", "hv14", "hv15"] {
            guard case .notChecked(let reason)? = facts.hosts[name] else {
                Issue.record("\(name) should be not checked: \(String(describing: facts.hosts[name]))")
                continue
            }
            #expect(reason.contains("raise --timeout, or --concurrency if the servers can take more hosts at once"))
            #expect(!server.requests.contains { $0.request.host == name }, "\(name) was asked after the round ended")
        }
        #expect(!facts.hosts.values.contains { if case .silent = $0 { return true } else { return false } }, "no host is silent")
        #expect(facts.notChecked.count == facts.hosts.count - server.requests.filter { $0.request.mode == .gather }.count)

        let findings = ReadinessRules.evaluate(CheckContext(spec: spec, facts: facts, specFile: "c.yaml", hypervisors: hosts), areas: [.drbd])
        #expect(Set(findings.with(.hostFacts, .skip).flatMap(\.hosts)) == Set(facts.notChecked))
        #expect(findings.failing(.hostFacts).isEmpty, "running out of time is never the host's failure")
        let report = CheckReport(findings: findings, durationMs: 0, notChecked: facts.notChecked)
        #expect(!report.ready)
        #expect(report.verdict == "NOT PROVED: \(facts.notChecked.count) hypervisors not checked in time (raise --timeout or --concurrency)")
        let one = CheckReport(findings: [], durationMs: 0, notChecked: ["hv9"])
        #expect(one.verdict == "NOT PROVED: 1 hypervisor not checked in time (raise --timeout or --concurrency)")
    }

    @Test func eachHostIsAskedForItsPlannedPeersAndOnlyTheAreasOfOnly() async {
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors, timeout: .seconds(5),
            transport: { host in server.answeringHost(host.name) }, storagekit: { _ in ["storagekit"] },
            areas: [.nfs])
        _ = await gatherer.gather()
        let asked = server.requests.filter { $0.request.mode == .gather }.map(\.request)
        #expect(asked.count == 3)
        #expect(asked.allSatisfy { $0.areas == [.nfs] })
        let plan = PeerPlan(hosts: spec.hypervisors, networks: spec.networks, allPairs: false)
        for request in asked {
            #expect(request.migrationPeers == plan.peers(of: request.host))
            #expect(request.migrationSweeps == plan.sweeps(of: request.host))
            // Each host gets the spec cut to the hosts its facts depend on.
            let sent = try? SpecLoader.load(yaml: request.specYAML).spec
            #expect(sent.map { Set($0.hosts.map(\.name)) } == spec.hostsNeeded(by: request.host, probing: plan.peers(of: request.host)))
        }
    }

    @Test func aPeerThatIsNotSweptGetsTheRangesEndsOnly() async {
        // Loopback peers: the connects never leave this machine (refused, nothing listens).
        let yaml = CheckFixtures.yaml
            .replacingOccurrences(of: "addresses: [10.99.1.12, 10.99.2.12]", with: "address: 127.0.0.12")
            .replacingOccurrences(of: "addresses: [10.99.1.13, 10.99.2.13]", with: "address: 127.0.0.13")
        let spec = try! SpecLoader.load(yaml: yaml).spec
        let collector = HostFactsCollector(spec: spec, host: spec.host(named: "hv1")!, secrets: [:], probeTimeout: .seconds(2), version: "t",
                                           runner: ScriptedRunner { command throws(SystemError) in throw .notInstalled(command.executable) })
        let ports = await collector.migrationPorts(peers: ["hv2", "hv3"], sweeping: ["hv2"]).filter { $0.service == "qemu-migration" }
        let swept = ports.filter { $0.peer == "hv2" }
        #expect(swept.map(\.portText) == ["49152-49215"], "\(swept.map(\.portText))")
        let ends = ports.filter { $0.peer == "hv3" }
        #expect(ends.map(\.portText) == ["49152", "49215"], "\(ends.map(\.portText))")
        #expect(ports.allSatisfy { $0.reach == .refused })
    }

    @Test func factsOutsideTheAreasOfOnlyAreNeverGathered() async {
        var spec = CheckFixtures.spec
        spec.hosts = spec.hosts.map { host in var host = host; host.transport = .ssh; return host }
        let runner = ScriptedRunner { command throws(SystemError) in throw .notInstalled(command.executable) }
        let collector = HostFactsCollector(spec: spec, host: spec.host(named: "hv1")!, secrets: [:], probeTimeout: .seconds(1), version: "t", runner: runner)
        let facts = await collector.gather(writeCanary: false, migrationPeers: ["hv2"], areas: [.drbd])
        #expect(runner.commands.isEmpty, "ran \(runner.commands.map(\.description))")
        #expect(facts.iscsi.isEmpty && facts.nfs == nil && facts.migrationPorts.isEmpty && facts.paths.isEmpty)
        #expect(facts.system.hypervisorUser.reason == "not gathered: check --only drbd")
        #expect(facts.kernel.mounts.reason == "not gathered: check --only drbd")
    }

    /// hv1…hv6, and the ones in `answered` with /srv/vmstore mounted and their canary written.
    static func ringOfSix(answered: Set<String>) -> (hosts: [StorageModel.Host], outcomes: [String: HostOutcome]) {
        let names = (1...6).map { "hv\($0)" }
        var outcomes: [String: HostOutcome] = [:]
        for name in names where answered.contains(name) {
            var facts = HostFacts(host: name, version: "t")
            facts.nfs = NFSFacts(server: "10.99.1.9", rpcbind: .open, mounts: [
                ExportMountFacts(export: "/srv/vmstore", rootUID: 0, rootGID: 0, rootMode: 0o755, canary: CanaryFile(path: "/.c-\(name)", content: name)),
            ])
            outcomes[name] = .answered(facts)
        }
        let hosts = names.map { Host(name: $0, addresses: ["10.99.1.\(10 + Int($0.dropFirst(2))!)"], roles: [.hypervisor]) }
        return (hosts, outcomes)
    }

    @Test func canaryReadsFollowTheRingOneEachAndTheRuleExpectsExactlyThem() {
        let (hosts, outcomes) = Self.ringOfSix(answered: Set((1...6).map { "hv\($0)" }))
        let reads = CanaryPlan.reads(hosts: hosts, facts: ClusterFacts(hosts: outcomes), allPairs: false)
        #expect(reads["hv1"].map { $0.map(\.writer) } == ["hv2"])
        #expect(reads["hv4"].map { $0.map(\.writer) } == ["hv5"])
        #expect(reads["hv6"].map { $0.map(\.writer) } == ["hv1"], "the ring closes")
        #expect(reads.values.map(\.count).reduce(0, +) == 6, "one read each, not 30")
        let all = CanaryPlan.reads(hosts: hosts, facts: ClusterFacts(hosts: outcomes), allPairs: true)
        #expect(all.values.map(\.count).reduce(0, +) == 30)
    }

    @Test func onlyReadsNoLaterAnswerCanChangeAreSettled() {
        var (hosts, outcomes) = Self.ringOfSix(answered: ["hv1", "hv2", "hv4", "hv6"])
        // hv3 and hv5 have not answered: hv2's and hv4's next writer may still be them.
        var settled = CanaryPlan.settledReads(hosts: hosts, facts: ClusterFacts(hosts: outcomes), allPairs: false)
        #expect(settled.mapValues { $0.map(\.writer) } == ["hv1": ["hv2"], "hv6": ["hv1"]])
        // hv3 is silent (decided, no mount): hv2 reads hv4 whatever else happens.
        outcomes["hv3"] = .silent(reason: "did not answer")
        settled = CanaryPlan.settledReads(hosts: hosts, facts: ClusterFacts(hosts: outcomes), allPairs: false)
        #expect(settled.mapValues { $0.map(\.writer) } == ["hv1": ["hv2"], "hv2": ["hv4"], "hv6": ["hv1"]])
        // Every settled read is one of the final plan's, once all have answered.
        outcomes["hv5"] = .silent(reason: "did not answer")
        let final = CanaryPlan.reads(hosts: hosts, facts: ClusterFacts(hosts: outcomes), allPairs: false)
        for (reader, reads) in settled { #expect(reads.allSatisfy { final[reader]?.contains($0) == true }, "\(reader)") }
        #expect(CanaryPlan.settledReads(hosts: hosts, facts: ClusterFacts(hosts: outcomes), allPairs: false) == final)
    }
}

/// Counts requests in flight by mode.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var now: [FactsRequest.Mode: Int] = [:]
    private var peak: [FactsRequest.Mode: Int] = [:]

    func enter(_ mode: FactsRequest.Mode) {
        lock.withLock {
            now[mode, default: 0] += 1
            peak[mode] = max(peak[mode] ?? 0, now[mode]!)
        }
    }

    func leave(_ mode: FactsRequest.Mode) { lock.withLock { now[mode, default: 0] -= 1 } }
    func highest(_ mode: FactsRequest.Mode) -> Int { lock.withLock { peak[mode] ?? 0 } }
}

extension FakeServer {
    /// A host that takes `delay` over each request, one process per request, counted by `meter`.
    func slowHost(_ name: String, delay: Duration, meter: InFlight) -> ScriptedTransport {
        ScriptedTransport(host: name) { command in
            let mode = (try? JSONDecoder().decode(FactsRequest.self, from: Data((command.stdin ?? "").utf8)))?.mode ?? .gather
            meter.enter(mode)
            try? await Task.sleep(for: delay)
            meter.leave(mode)
            return CommandResult(command: command, exitCode: 0, stdout: self.answer(name, command), stderr: "")
        }
    }
}
