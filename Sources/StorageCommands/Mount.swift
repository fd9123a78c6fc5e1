import ArgumentParser
import StorageModel
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

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: !json)
        let engine = SharedMountRun(spec: loaded.spec)
        let hosts: [StorageModel.Host]
        do { hosts = try engine.hosts(named: host) } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        try RootRequirement.check(hosts, changing: !dryRun)
        var reports: [HostStepReport] = []
        for target in hosts {
            let report = await engine.mount(target, dryRun: dryRun)
            reports.append(report)
            if !json {
                print("\(report.host)\(dryRun ? " (nothing changed)" : ""):")
                for step in report.steps { print("  \(step.ok ? "✓" : "✗") \(step.text)") }
                if let failure = report.error { Console.error("error: \(report.host): \(failure)") }
            }
        }
        if json { try Console.json(reports) }
        if reports.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
