import ArgumentParser
import StorageSystem

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what apply would change on each host: files with their diffs, backing files, tgtadm calls, services, firewall.",
        discussion: "Reads the hosts, changes nothing.\n\nExit status: 0 planned, 1 a host could not be read, 2 bad usage or invalid spec.")

    @OptionGroup var options: SpecOptions
    @OptionGroup var change: ChangeOptions

    func run() async throws {
        try await ChangeCommand(options: options, change: change, scope: .everything, planOnly: true).run()
    }
}

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make every host match the spec: only the differences, idempotent.",
        discussion: """
            Per host, under a lock: each file is staged beside its target, checked by its real tool \
            (nfsconf, tgt-admin, iptables-restore) and renamed over it; the file it replaces is kept \
            in /var/lib/storagekit/backups/<time>/ on that host. The first failure stops the run \
            and says how to roll back. A second apply right after reports 0 changes.

            Exit status: 0 applied, 1 failed or refused, 2 bad usage or invalid spec.
            """)

    @OptionGroup var options: SpecOptions
    @OptionGroup var change: ChangeOptions
    @Flag(help: "Change targets and LUNs even while initiators are logged in to them.") var force = false
    @Option(help: ArgumentHelp("Put the previous firewall rules back after this many seconds unless `storagekit firewall confirm` runs (default: 60 on ssh hosts, off otherwise; 0: off).", valueName: "seconds"))
    var confirmWithin: Int?

    func run() async throws {
        try await ChangeCommand(
            options: options, change: change, scope: .everything, force: force, firewallConfirmation: .within(seconds: confirmWithin)
        ).run()
    }
}
