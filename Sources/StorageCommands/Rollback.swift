import ArgumentParser
import StorageModel
import StorageSystem

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put back the files an apply replaced, from its backup on the host.",
        discussion: """
            Each apply keeps what it replaced in /var/lib/storagekit/backups/<time>/ on the host, \
            with a MANIFEST of replaced and created files. Rollback restores replaced files \
            (atomically) and removes the ones that apply created. When that apply loaded \
            firewall rules, the live rules come back too, whichever the backend: storagekit's \
            iptables chain and nftables table as they were, and firewalld reloaded with its \
            policy file as it was. Services are not restarted: restart them (or fix the spec \
            and apply again).

            Exit status: 0 rolled back, 1 failed or no backup, 2 bad usage.
            """)

    @OptionGroup var options: SpecOptions
    @Option(help: ArgumentHelp("The host to roll back.", valueName: "name")) var host: String
    @Option(help: ArgumentHelp("The backup to restore (a directory name under /var/lib/storagekit/backups); default: the newest.", valueName: "time"))
    var backup: String?
    @Flag(help: "Show what would be restored, change nothing.") var dryRun = false
    @Flag(help: "Print one JSON document: {host, backup, dryRun, steps}.") var json = false

    struct Report: Encodable {
        let host: String
        let backup: String
        let dryRun: Bool
        let steps: [String]
    }

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: false)
        guard let specHost = loaded.spec.host(named: host) else {
            Console.error("error: no host named \"\(host)\" in the spec")
            throw ExitCode(2)
        }
        try RootRequirement.check([specHost], changing: !dryRun)
        do {
            let context = try HostContext.make(loaded.spec, host: specHost)
            let restorer = BackupRestorer(context: context)
            var chosen = backup
            if chosen == nil { chosen = try await restorer.newest() }
            guard let chosen else {
                Console.error("error: \(host) has no backup in \(Applier.backupRoot): nothing to roll back")
                throw ExitCode(1)
            }
            let steps = try await restorer.restore(chosen, dryRun: dryRun)
            if json { return try Console.json(Report(host: host, backup: chosen, dryRun: dryRun, steps: steps)) }
            print("\(host): \(dryRun ? "would restore" : "restored") backup \(chosen)")
            for step in steps { print("  \(dryRun ? "-" : "✓") \(step)") }
        } catch let error as ExitCode {
            throw error
        } catch {
            Console.error("error: \(host): \(error)")
            throw ExitCode(1)
        }
    }
}
