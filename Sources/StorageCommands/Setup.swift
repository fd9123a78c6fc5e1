import ArgumentParser
import StorageSystem

struct Setup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set up one server role and verify it: `setup nfs`, `setup iscsi-target`, `setup drbd`.",
        subcommands: [NFS.self, ISCSITarget.self, DRBD.self])

    struct NFS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nfs",
            abstract: "Exports, pinned ports, export directories, services (rpcbind first) and the firewall of the NFS server; then verifies them.",
            discussion: """
                knfsd: /etc/exports, nfs.conf (and /etc/sysconfig/nfs on rhel), lockd options, then \
                rpcbind, rpc-statd, nfs-server and `exportfs -ra`. nfs-ganesha: ganesha.conf, then \
                rpcbind and ganesha. Afterwards every pinned port is looked up with `rpcinfo -p` and \
                every export with `showmount -e`, from the server itself.

                Exit status: 0 set up and verified, 1 failed or not verified, 2 bad usage or invalid spec.
                """)
        @OptionGroup var options: SpecOptions
        @OptionGroup var change: ChangeOptions

        func run() async throws {
            try await ChangeCommand(options: options, change: change, scope: .nfsServer).run()
        }
    }

    struct ISCSITarget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "iscsi-target",
            abstract: "Sparse backing files, tgtd's live targets, LUN identities, ACL and CHAP reconciled with tgtadm, persisted in /etc/tgt/conf.d; then verified.",
            discussion: """
                Live state is read with `tgtadm --op show` and only the difference is changed. Backing \
                files are created sparse when absent and never truncated. A target or LUN with \
                logged-in initiators is not changed without --force; the refusal names them.

                Exit status: 0 set up and verified, 1 failed, refused or not verified, 2 bad usage or invalid spec.
                """)
        @OptionGroup var options: SpecOptions
        @OptionGroup var change: ChangeOptions
        @Flag(help: "Change targets and LUNs even while initiators are logged in to them.") var force = false

        func run() async throws {
            try await ChangeCommand(options: options, change: change, scope: .iscsiTarget, force: force).run()
        }
    }
}
