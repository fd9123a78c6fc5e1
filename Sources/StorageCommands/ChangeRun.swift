import ArgumentParser
import Foundation
import StorageFacts
import StorageModel
import StorageRender
import StorageSystem

/// Options of every command that changes hosts.
struct ChangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Act on this host only (repeatable); default: every host the command concerns.", valueName: "name"))
    var host: [String] = []

    @Flag(help: "Show the plan (actions and diffs) and change nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON document and nothing else on stdout.")
    var json = false
}

/// What a host reported: its plan, what ran, what was verified.
struct HostChangeReport: Encodable {
    struct Action: Encodable {
        let kind: String
        let summary: String
        let diff: String?
    }
    let host: String
    var actions: [Action]
    var conflicts: [String]
    var notes: [String]
    var done: [String]? = nil
    var backup: String? = nil
    var verified: [VerificationLine]? = nil
    var error: String? = nil
}

struct ChangeReport: Encodable {
    let dryRun: Bool
    var changes: Int
    var hosts: [HostChangeReport]
    var followUp: FollowUp? = nil
}

/// What a command does across its hosts once every host's files are in place (e.g. bringing
/// DRBD resources up on both nodes); in a dry run, what it would do.
struct FollowUp: Encodable, Sendable {
    struct Line: Encodable, Sendable {
        /// "✓" done, "→" planned (dry run), "✗" failed.
        let mark: String
        let text: String
    }
    let title: String
    var lines: [Line] = []
    var failed = false
}

/// plan → (apply) → (verify) for a set of hosts; shared by plan, apply, setup and firewall.
struct ChangeRun {
    var options: SpecOptions
    var change: ChangeOptions
    var parts: Set<HostRenderer.Part>
    /// Hosts the command concerns when --host is not given.
    var defaultHosts: (ClusterSpec) -> [String]
    var force = false
    var confirmFirewallWithin: (HostContext) -> Duration? = { _ in nil }
    var verify: ((ClusterSpec, HostContext) async -> [VerificationLine])? = nil
    var planOnly = false
    /// Runs after every host is planned (dry run) or applied and verified without failure.
    var followUp: ((ClusterSpec, _ hosts: [String], _ dryRun: Bool) async -> FollowUp)? = nil
    /// Why a named host does not fit this command (nil: it fits).
    var refuseHost: (ClusterSpec, StorageModel.Host) -> String? = { _, _ in nil }

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: !change.json)
        let spec = loaded.spec
        let names = change.host.isEmpty ? defaultHosts(spec) : change.host
        if names.isEmpty {
            Console.error("error: no host of the spec needs this (check roles and `firewall.manage`)")
            throw ExitCode(2)
        }
        for name in names {
            guard let host = spec.host(named: name) else {
                Console.error("error: no host named \"\(name)\" in the spec (hosts: \(spec.hosts.map(\.name).joined(separator: ", ")))")
                throw ExitCode(2)
            }
            if let reason = refuseHost(spec, host) {
                Console.error("error: \(reason)")
                throw ExitCode(2)
            }
        }
        try RootRequirement.check(names.compactMap(spec.host(named:)), changing: !(change.dryRun || planOnly))
        let runID = Applier.newRunID()
        var report = ChangeReport(dryRun: change.dryRun || planOnly, changes: 0, hosts: [])
        var failed = false
        for name in names {
            guard let host = spec.host(named: name) else { continue }
            let context: HostContext
            do { context = try HostContext.make(spec, host: host) } catch {
                Console.error("error: \(error)")
                throw ExitCode(1)
            }
            let secrets = SecretFiles(fileSystem: LocalFileSystem()).read(HostRenderer.secretFiles(spec, host: name))
            let plan: HostPlan
            do {
                plan = try await HostPlanner(spec: spec, context: context, secrets: secrets, parts: parts).plan()
            } catch {
                report.hosts.append(HostChangeReport(host: name, actions: [], conflicts: [], notes: [], error: error.description))
                failed = true
                if !change.json { Console.error("error: \(error)") }
                break
            }
            var hostReport = HostChangeReport(
                host: name, actions: plan.actions.map { .init(kind: $0.kind, summary: $0.summary, diff: $0.diff) },
                conflicts: plan.conflicts.map(\.description), notes: plan.notes)
            report.changes += plan.actions.count
            if !change.json { printPlan(plan, transport: host.transport) }
            if change.dryRun || planOnly {
                report.hosts.append(hostReport)
                continue
            }
            var applier = Applier(context: context, secrets: secrets, runID: runID)
            applier.force = force
            applier.confirmFirewallWithin = confirmFirewallWithin(context)
            do {
                let outcome = try await applier.apply(plan)
                hostReport.done = outcome.done
                hostReport.backup = outcome.backup
                hostReport.notes += outcome.notes
                if !change.json {
                    for line in outcome.done { print("  ✓ \(line)") }
                    for note in outcome.notes { print("  · \(note)") }
                    if let backup = outcome.backup { print("  backup of this run on \(name): \(backup) (`storagekit rollback` restores it)") }
                }
            } catch {
                hostReport.error = error.description
                report.hosts.append(hostReport)
                if !change.json { Console.error("error: \(error)") }
                failed = true
                break
            }
            if let verify {
                let lines = await verify(spec, context)
                hostReport.verified = lines
                if !change.json {
                    print("  verified on \(name):")
                    for line in lines { print("    \(line.ok ? "✓" : "✗") \(line.text)") }
                }
                if lines.contains(where: { !$0.ok }) { failed = true }
            }
            report.hosts.append(hostReport)
        }
        if !failed, let followUp {
            let result = await followUp(spec, names, change.dryRun || planOnly)
            report.followUp = result
            if !change.json {
                print("\(result.title):")
                for line in result.lines { print("  \(line.mark) \(line.text)") }
            }
            if result.failed { failed = true }
        }
        if change.json { try Console.json(report) }
        if failed { throw ExitCode(1) }
    }

    private func printPlan(_ plan: HostPlan, transport: TransportKind) {
        let mode = change.dryRun || planOnly ? " (dry run: nothing changed)" : ""
        print("\(plan.host) [\(transport.rawValue)]: \(plan.actions.isEmpty ? "up to date, 0 changes" : "\(plan.actions.count) change(s)")\(mode)")
        for (index, action) in plan.actions.enumerated() {
            print("  \(index + 1). \(action.summary)")
            if change.dryRun || planOnly, let diff = action.diff {
                for line in diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast(diff.hasSuffix("\n") ? 1 : 0) { print("       \(line)") }
            }
        }
        for conflict in plan.conflicts { print("  ! \(conflict)") }
        for note in plan.notes { print("  · \(note)") }
    }
}

/// One fact a setup command checked after applying.
struct VerificationLine: Encodable, Sendable {
    let ok: Bool
    let text: String
}
