import ArgumentParser
import StorageModel
import StorageRender
import StorageSystem

struct Mount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put the shared storage at the same path on each hypervisor: mount unit and fstab block, mount, check with findmnt.",
        discussion: """
            Writes the .mount unit and storagekit's /etc/fstab block (through apply: staged, backed up, \
            atomic), creates the mount point, starts the unit (systemd) or runs `mount PATH`, then \
            checks `findmnt --json` for the expected source and type. Idempotent; refuses to mount over \
            a directory that holds files, or over a mount of something else.

            Exit status: 0 mounted everywhere, 1 a step failed, 2 bad usage.
            """)

    @OptionGroup var options: SpecOptions
    @Option(help: ArgumentHelp("This hypervisor only (repeatable).", valueName: "name")) var host: [String] = []
    @Flag(help: "Show what would be done; change nothing.") var dryRun = false
    @Flag(help: "Print one JSON document.") var json = false

    struct HostReport: Encodable {
        let host: String
        let steps: [SharedMounter.Step]
        let error: String?
    }

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: !json)
        let spec = loaded.spec
        let hypervisors = spec.hosts.filter { !spec.sharedMounts(of: $0).isEmpty }
        let names = host.isEmpty ? hypervisors.map(\.name) : host
        var reports: [HostReport] = []
        try RootRequirement.check(names.compactMap(spec.host(named:)), changing: !dryRun)
        for name in names {
            guard let specHost = spec.host(named: name), hypervisors.contains(where: { $0.name == name }) else {
                Console.error("error: \(name) has no shared mount in the spec (a hypervisor of a spec with nfs exports or a cluster filesystem)")
                throw ExitCode(2)
            }
            var steps: [SharedMounter.Step] = []
            var failure: String?
            do {
                let context = try HostContext.make(spec, host: specHost)
                try await SharedMounter(spec: spec, context: context).preflight()
                var planner = HostPlanner(spec: spec, context: context, secrets: [:], parts: [.hypervisor])
                planner.fileFilter = { $0.hasSuffix(".mount") || $0 == "/etc/fstab" }
                let plan = try await planner.plan()
                if dryRun {
                    steps += plan.actions.map { SharedMounter.Step(ok: true, text: "would \($0.summary)") }
                } else {
                    steps += try await Applier(context: context, secrets: [:]).apply(plan).done.map { SharedMounter.Step(ok: true, text: $0) }
                }
                steps += try await SharedMounter(spec: spec, context: context).mountAll(dryRun: dryRun)
            } catch let error as SharedMounter.Failure {
                steps += error.steps
                failure = error.reason
            } catch {
                failure = "\(error)"
            }
            reports.append(HostReport(host: name, steps: steps, error: failure))
            if !json {
                print("\(name)\(dryRun ? " (nothing changed)" : ""):")
                for step in steps { print("  \(step.ok ? "✓" : "✗") \(step.text)") }
                if let failure { Console.error("error: \(name): \(failure)") }
            }
        }
        if json { try Console.json(reports) }
        if reports.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
