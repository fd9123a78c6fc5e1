import ArgumentParser
import StorageFacts
import StorageSystem

struct Multipath: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "multipath on the hypervisors: the same /dev/mapper/<alias> for each LUN everywhere.",
        subcommands: [Setup.self])

    struct Setup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the LUN identities each host sees, write the allow-list and aliases, reload multipathd, check multipath -ll.",
            discussion: """
                From each hypervisor, with libiscsi: every LUN must show the same WWID (VPD 0x83, the \
                form multipath and scsi_id use) through every portal, no two LUNs may share one \
                (tgtd's defaults do: the fix is `storagekit setup iscsi-target`), and it must be the \
                one the spec fixed. Then /etc/multipath.conf (allow-list, one alias per LUN) and \
                /etc/multipath/wwids are written through apply, multipathd reloads, and `multipath -ll` \
                must show each alias with one active path per portal.

                Exit status: 0 every map has its paths, 1 a check failed, 2 bad usage.
                """)
        @OptionGroup var options: ISCSI.Options
        @Flag(help: "Check and show what would be written; change nothing.") var dryRun = false

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: dryRun) { initiator in
                try await MultipathSetup(initiator: initiator).run(dryRun: dryRun)
            }.run()
        }
    }
}
