import ArgumentParser
import StorageModel
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

/// plan, apply, setup and firewall apply: a `ChangeRun` on the hosts given, printed as it goes.
struct ChangeCommand {
    var options: SpecOptions
    var change: ChangeOptions
    var scope: ChangeScope
    var planOnly = false
    var force = false
    var firewallConfirmation: FirewallConfirmation = .off

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: !change.json)
        let dryRun = change.dryRun || planOnly
        var engine = ChangeRun(spec: loaded.spec, scope: scope, mode: dryRun ? .plan : .apply)
        engine.force = force
        engine.firewallConfirmation = firewallConfirmation
        let hosts: [StorageModel.Host]
        do { hosts = try engine.hosts(named: change.host) } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        try RootRequirement.check(hosts, changing: !dryRun)
        let printer = ChangePrinter(json: change.json, dryRun: dryRun)
        let result: ChangeRun.Result
        do { result = try await engine.run(hosts, events: printer.print) } catch {
            Console.error("error: \(error)")
            throw ExitCode(1)
        }
        if change.json { try Console.json(result.report) }
        if result.failed { throw ExitCode(1) }
    }
}

/// The human form of a `ChangeRun`'s events; with `--json` only errors and waits, on stderr.
struct ChangePrinter: Sendable {
    let json: Bool
    let dryRun: Bool

    func print(_ event: ChangeEvent) {
        switch event {
        case .waiting(let text):
            // Waits can be long: say so as they start, on stderr (stdout stays one report).
            Console.error("  … \(text)")
        case .planFailed(_, let error):
            if !json { Console.error("error: \(error)") }
        case .applyFailed(_, let error):
            if !json { Console.error("error: \(error)") }
        case _ where json:
            return
        case .planned(let plan, let transport):
            printPlan(plan, transport: transport)
        case .applied(let host, let outcome):
            for line in outcome.done { Swift.print("  ✓ \(line)") }
            for note in outcome.notes { Swift.print("  · \(note)") }
            if let backup = outcome.backup { Swift.print("  backup of this run on \(host): \(backup) (`storagekit rollback` restores it)") }
        case .verified(let host, let lines):
            Swift.print("  verified on \(host):")
            for line in lines { Swift.print("    \(line.ok ? "✓" : "✗") \(line.text)") }
        case .followedUp(let followUp):
            Swift.print("\(followUp.title):")
            for line in followUp.lines { Swift.print("  \(line.mark.rawValue) \(line.text)") }
        }
    }

    private func printPlan(_ plan: HostPlan, transport: TransportKind) {
        let mode = dryRun ? " (dry run: nothing changed)" : ""
        Swift.print("\(plan.host) [\(transport.rawValue)]: \(plan.actions.isEmpty ? "up to date, 0 changes" : "\(plan.actions.count) change(s)")\(mode)")
        for (index, action) in plan.actions.enumerated() {
            Swift.print("  \(index + 1). \(action.summary)")
            if dryRun, let diff = action.diff {
                for line in diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast(diff.hasSuffix("\n") ? 1 : 0) { Swift.print("       \(line)") }
            }
        }
        for conflict in plan.conflicts { Swift.print("  ! \(conflict)") }
        for note in plan.notes { Swift.print("  · \(note)") }
    }
}
