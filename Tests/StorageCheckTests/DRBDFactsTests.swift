import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing
import StorageFacts
@testable import StorageGathering

/// A node's DRBD facts: /proc/drbd under the collector's root (a fixture), `drbdsetup status`
/// through the runner when DRBD 9 lists no devices there.
@Suite struct DRBDFactsTests {
    static func fixture(_ path: String) throws -> String {
        try TestFixtures.text("drbd/\(path)")
    }

    /// A root whose proc/drbd is `procFixture` (none when nil), removed after `body`.
    static func withRoot<T>(_ procFixture: String?, _ body: (String) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("drbd-facts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/proc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        if let procFixture { try fixture("proc/\(procFixture)").write(toFile: root + "/proc/drbd", atomically: true, encoding: .utf8) }
        return try await body(root)
    }

    static func collector(_ host: String = "hv1", root: String, runner: ScriptedRunner, spec: ClusterSpec = DRBDCheckFixtures.spec) -> HostFactsCollector {
        HostFactsCollector(spec: spec, host: spec.host(named: host)!, secrets: [:], probeTimeout: .seconds(1), version: "t", runner: runner, root: root, kernelNotOwn: .some(nil))
    }

    static var noTools: ScriptedRunner { ScriptedRunner { command throws(SystemError) in throw .notInstalled(command.executable) } }

    @Test func drbd8IsReadFromProcAlone() async throws {
        let runner = Self.noTools
        let facts = try await Self.withRoot("8.4.3-connected-dual-primary.txt") { await Self.collector(root: $0, runner: runner).drbdFacts() }
        let known = try #require(facts.value)
        #expect(known.source == "/proc/drbd" && known.version == "8.4.3")
        #expect(known.devices == [DRBDCheckFixtures.healthyDevice])
        #expect(runner.commands.isEmpty, "no tool is needed when /proc/drbd lists the devices")
    }

    @Test func drbd8WithNothingUpIsKnownAndEmpty() async throws {
        let runner = Self.noTools
        let facts = try await Self.withRoot(nil) { root in
            try "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 3605238F092EFFCDC77483B\n".write(toFile: root + "/proc/drbd", atomically: true, encoding: .utf8)
            return await Self.collector(root: root, runner: runner).drbdFacts()
        }
        #expect(facts == .known(DRBDFacts(source: "/proc/drbd", version: "8.4.11", devices: [])))
        #expect(runner.commands.isEmpty)
    }

    @Test func drbd9AsksDrbdsetupStatus() async throws {
        let status = try Self.fixture("status/9-openvz-sync-target.txt")
        let runner = ScriptedRunner { CommandResult(command: $0, exitCode: 0, stdout: status, stderr: "") }
        let facts = try await Self.withRoot("9.0.32-version-only.txt") { await Self.collector(root: $0, runner: runner).drbdFacts() }
        #expect(runner.commands.map(\.description) == ["drbdsetup status"])
        let known = try #require(facts.value)
        #expect(known.source == "drbdsetup status" && known.version == "9.0.32-1")
        #expect(known.devices == [DRBDDeviceFacts(
            resource: "r0", volume: 0, connection: "Connected", replication: "SyncTarget", role: "Secondary", peerRole: "Primary",
            disk: "Inconsistent", peerDisk: "UpToDate", peer: "server1", syncPercent: 0.04)])
    }

    @Test func whatCannotBeReadIsAReasonNotAnEmptyList() async throws {
        let missing = try await Self.withRoot(nil) { await Self.collector(root: $0, runner: Self.noTools).drbdFacts() }
        #expect(missing == .unknown("/proc/drbd does not exist: the drbd kernel module is not loaded (modprobe drbd)"))
        let noUtils = try await Self.withRoot("9.0.32-version-only.txt") { await Self.collector(root: $0, runner: Self.noTools).drbdFacts() }
        #expect(noUtils == .unknown("drbdsetup is not installed (drbd-utils)"))
        let failing = ScriptedRunner { CommandResult(command: $0, exitCode: 20, stdout: "", stderr: "Could not connect to 'drbd' generic netlink family\n") }
        let failed = try await Self.withRoot("9.0.32-version-only.txt") { await Self.collector(root: $0, runner: failing).drbdFacts() }
        #expect(failed == .unknown("`drbdsetup status` failed: Could not connect to 'drbd' generic netlink family"))
        let garbage = ScriptedRunner { CommandResult(command: $0, exitCode: 0, stdout: "r0: No such resource\n", stderr: "") }
        let unreadable = try await Self.withRoot("9.0.32-version-only.txt") { await Self.collector(root: $0, runner: garbage).drbdFacts() }
        #expect(unreadable.reason?.hasPrefix("cannot read line 1 of `drbdsetup status`") == true)
    }

    @Test func onlyNodesOfAResourceAndNoLabHostAreAsked() async throws {
        var spec = DRBDCheckFixtures.spec
        spec.hosts.append(StorageModel.Host(name: "hv3", addresses: ["10.20.0.33"], roles: [.hypervisor]))
        let runner = Self.noTools
        let outsider = try await Self.withRoot("8.4.3-connected-dual-primary.txt") { await Self.collector("hv3", root: $0, runner: runner, spec: spec).drbdFacts() }
        #expect(outsider == .unknown("hv3 is a node of no DRBD resource"))
        let lab = HostFactsCollector(spec: spec, host: spec.host(named: "hv1")!, secrets: [:], probeTimeout: .seconds(1), version: "t", runner: runner, kernelNotOwn: .some(HostFactsCollector.namespaceReason))
        #expect(await lab.drbdFacts().reason?.hasPrefix("lab host") == true)
    }

    @Test func factsTravelAsJSON() throws {
        let facts = HostFacts(host: "hv1", version: "t", drbd: .known(DRBDFacts(source: "/proc/drbd", version: "8.4.11", devices: [DRBDCheckFixtures.healthyDevice])))
        let decoded = try JSONDecoder().decode(HostFacts.self, from: JSONEncoder().encode(facts))
        #expect(decoded == facts)
    }
}
