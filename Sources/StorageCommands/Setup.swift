import ArgumentParser
import StorageFacts
import StorageModel
import StorageRender
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
            var run = ChangeRun(options: options, change: change, parts: [.nfsServer, .firewall], defaultHosts: { spec in spec.nfs.map { [$0.server] } ?? [] })
            run.confirmFirewallWithin = FirewallDefaults.confirmWithin(0)
            run.refuseHost = { spec, host in
                guard let nfs = spec.nfs else { return "the spec has no `nfs:` section" }
                return host.name == nfs.server ? nil : "\(host.name) is not the NFS server (nfs.server is \(nfs.server))"
            }
            run.verify = { spec, context in
                var asker = context
                if let client = NFSServerVerifier.clientHost(spec), let clientContext = try? HostContext.make(spec, host: client) { asker = clientContext }
                return await NFSServerVerifier(spec: spec, files: asker.files).verify().map { VerificationLine(ok: $0.ok, text: $0.text) }
            }
            try await run.run()
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
            var run = ChangeRun(
                options: options, change: change, parts: [.iscsiTarget, .firewall],
                defaultHosts: { spec in spec.hosts.filter { $0.has(.iscsiTarget) }.map(\.name) })
            run.force = force
            run.confirmFirewallWithin = FirewallDefaults.confirmWithin(0)
            run.refuseHost = { spec, host in
                (spec.iscsi?.targets ?? []).contains { $0.server == host.name } ? nil : "\(host.name) serves no iSCSI target in the spec (see iscsi.targets[].server)"
            }
            run.verify = { spec, context in await ISCSITargetVerifier(spec: spec, files: context.files).verify().map { VerificationLine(ok: $0.ok, text: $0.text) } }
            try await run.run()
        }
    }
}
