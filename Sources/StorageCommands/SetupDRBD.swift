import ArgumentParser
import StorageSystem

extension Setup {
    struct DRBD: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drbd",
            abstract: "DRBD resources on their two nodes: /etc/drbd.d, modprobe options and the replication port; then metadata, up, the initial sync and Primary on both when dual-primary.",
            discussion: """
                Files first, on every node (as `apply` would). Then, per resource whose two nodes are \
                both in this run: `drbdadm create-md` only where `blkid -p` finds nothing on the disk \
                (a file system or other signature is refused without --force; existing DRBD metadata \
                is kept), `drbdadm up` (or `adjust` when the resource is already up), and once both \
                nodes are Connected: if neither disk was ever in sync, `drbdadm primary --force` on \
                the resource's first node only (the initial sync); with allowTwoPrimaries, once both \
                disks are UpToDate, `drbdadm primary` on each node. A second run changes nothing. \
                --dry-run shows the files' diffs and these steps as the nodes' current state implies.

                Exit status: 0 done, 1 failed, refused or timed out, 2 bad usage or invalid spec.
                """)
        @OptionGroup var options: SpecOptions
        @OptionGroup var change: ChangeOptions
        @Flag(help: "Write DRBD metadata even over a file system or other signature blkid finds on the disk (its data is lost).")
        var force = false
        @Option(help: ArgumentHelp("Seconds to wait for the initial sync before the second node becomes Primary.", valueName: "seconds"))
        var syncTimeout = 600

        func run() async throws {
            let followUp = DRBDFollowUp(force: force, syncTimeout: .seconds(syncTimeout))
            try await ChangeCommand(options: options, change: change, scope: .drbd(followUp)).run()
        }
    }
}
