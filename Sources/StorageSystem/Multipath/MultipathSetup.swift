import StorageCheck
import StorageFacts
import StorageModel
import StorageRender

/// Multipath on a hypervisor: the WWIDs the host itself sees (libiscsi pre-flight, VPD 0x83)
/// are checked, the allow-list and aliases written (so /dev/mapper/<alias> is the same on every
/// host), multipathd reloaded, and `multipath -ll` must show one path per portal.
public struct MultipathSetup: Sendable {
    public let initiator: ISCSIInitiator

    public init(initiator: ISCSIInitiator) {
        self.initiator = initiator
    }

    typealias Step = ISCSIInitiator.Step
    var spec: ClusterSpec { initiator.spec }
    var context: HostContext { initiator.context }

    public func run(dryRun: Bool) async throws -> (steps: [ISCSIInitiator.Step], failure: String?) {
        var (steps, seen) = await initiator.preflightSeeing()
        if let failed = steps.first(where: { !$0.ok }) { return (steps, failed.text) }
        let problems = LUNIdentityRule.evaluate(seen, spec: spec).problems
        if !problems.isEmpty {
            let said = problems.map { Step(ok: false, text: "\($0.message): \($0.fix("storagekit setup iscsi-target"))") }
            return (steps + said, "\(problems.count) LUN identity problem(s): multipath was not touched")
        }
        let expected = expectedMaps()
        for map in expected {
            steps.append(Step(ok: true, text: "\(map.alias): WWID \(map.wwid) seen through \(map.portals) portal(s)"))
        }

        var planner = HostPlanner(spec: spec, context: context, secrets: [:], parts: [.hypervisor])
        planner.fileFilter = { $0 == "/etc/multipath.conf" || $0 == "/etc/multipath/wwids" }
        let plan = try await planner.plan()
        if dryRun { return (steps + plan.actions.map { Step(ok: true, text: "would \($0.summary)") }, nil) }
        steps += try await Applier(context: context, secrets: [:]).apply(plan).done.map { Step(ok: true, text: $0) }

        let files = context.files
        let systemd = try await files.run(["test", "-d", "/run/systemd/system"], "looking for systemd", allowFailure: true).succeeded
        let reload = systemd
            ? try await files.run(["systemctl", "reload-or-restart", "multipathd"], "reloading multipathd", allowFailure: true)
            : try await files.run(["multipathd", "reconfigure"], "reloading multipathd", allowFailure: true)
        guard reload.succeeded else {
            let said = (reload.stderr + reload.stdout).split(separator: "\n").last.map(String.init) ?? "exit \(reload.exitCode.map(String.init) ?? "?")"
            return (steps, "multipathd could not reload its configuration: \(said) — is multipathd running (systemctl start multipathd) and device-mapper there (modprobe dm_multipath)?")
        }
        steps.append(Step(ok: true, text: "multipathd reloaded"))
        // multipathd builds the maps after `reconfigure` returns: give it a bounded while.
        var maps: [MultipathMapFacts] = []
        for attempt in 0..<30 {
            if attempt > 0 { try await Task.sleep(for: .seconds(1)) }
            let listed = try await files.run(["multipath", "-ll"], "listing multipath maps", allowFailure: true)
            do { maps = try MultipathListParser.parse(listed.stdout) } catch { return (steps, error.description) }
            let complete = expected.allSatisfy { map in
                maps.first { $0.wwid == map.wwid }.map { $0.activePaths == map.portals } ?? false
            }
            if complete { break }
        }
        var missing: [String] = []
        for map in expected {
            let found = maps.first { $0.wwid == map.wwid }
            let active = found?.activePaths ?? 0
            let ok = found?.alias == map.alias && active == map.portals
            steps.append(Step(ok: ok, text: "/dev/mapper/\(map.alias): \(found.map { "\($0.alias), \(active) active path(s) of \(map.portals)" } ?? "no map")"))
            if !ok { missing.append(map.alias) }
        }
        return (steps, missing.isEmpty ? nil : "multipath -ll does not show one active path per portal for \(missing.joined(separator: ", "))")
    }

    struct ExpectedMap {
        let alias: String
        let wwid: String
        let portals: Int
    }

    func expectedMaps() -> [ExpectedMap] {
        spec.targets(reachableBy: context.host).flatMap { target in
            target.luns.map { lun in
                ExpectedMap(alias: spec.multipathAlias(of: target, lun), wwid: spec.identity(of: target, lun).wwid, portals: spec.portals(of: target).count)
            }
        }
    }
}
