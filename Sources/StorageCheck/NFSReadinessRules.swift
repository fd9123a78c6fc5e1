import StorageFacts
import StorageModel

/// NFS from each hypervisor: rpcbind, every pinned port registered at its number and reachable
/// through the firewall, the export offered to this host and mountable, a canary written by
/// one hypervisor read back byte-identical by the others, and permissions qemu can use.
enum NFSReadinessRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        guard let nfs = context.spec.nfs else { return [] }
        let server = nfs.server
        let setupNFS = context.command("setup nfs")
        let firewall = context.firewallFix(server)
        var findings: [Finding] = []

        for (index, export) in nfs.exports.enumerated() {
            findings.append(export.options.contains("async")
                ? Finding(.nfsExportAsync, hosts: [server], .warn,
                          "nfs.exports[\(index)] (\(export.path)) is exported async: the server acknowledges a write before it is on its disk, so a server crash can lose writes a guest believes are stored (async is faster; that is its price)",
                          fix: "write sync instead of async in nfs.exports[\(index)].options, then \(setupNFS)")
                : Finding(.nfsExportAsync, hosts: [server], .pass, "\(export.path) is exported sync"))
        }

        for host in context.hypervisors where host.name != server {
            for (index, export) in nfs.exports.enumerated() where !export.admits(host) && context.spec.mountPath(ofExport: index) != nil {
                findings.append(Finding(.nfsAccess, hosts: [host.name], .warn,
                                        "is a hypervisor outside the clients of \(export.path): guests on it cannot use that storage or migrate there",
                                        fix: "add \(host.addresses.first ?? host.name) to nfs.exports[\(index)].clients, then \(setupNFS)"))
            }
        }

        for (host, facts) in context.answered where host.name != server && !context.exports(of: host).isEmpty {
            guard let seen = facts.nfs else {
                findings.append(Finding(.nfsRpcbindReachable, hosts: [host.name], .fail, "NFS was not probed", fix: "run the same storagekit version on every host"))
                continue
            }
            switch seen.rpcbind {
            case .open: findings.append(Finding(.nfsRpcbindReachable, hosts: [host.name], .pass, "rpcbind on \(seen.server) answers"))
            case .refused:
                findings.append(Finding(.nfsRpcbindReachable, hosts: [host.name], .fail, "rpcbind on \(seen.server):111 refused the connection: it is not running", fix: setupNFS))
                continue
            case .timeout:
                findings.append(Finding(.nfsRpcbindReachable, hosts: [host.name], .fail, "rpcbind on \(seen.server):111 did not answer: a firewall drops it, or \(server) is down", fix: firewall))
                continue
            case .unreachable:
                findings.append(Finding(.nfsRpcbindReachable, hosts: [host.name], .fail, "\(seen.server) is unreachable: \(seen.error?.message ?? "no route")",
                                        fix: "give \(host.name) an address on \(seen.server)'s network"))
                continue
            }
            if let error = seen.error, seen.rpc.isEmpty {
                findings.append(Finding(.nfsPortRegistered, hosts: [host.name], .fail, "the portmapper dump failed: \(error.message)",
                                        fix: error.code == .timeout ? firewall : setupNFS))
            } else {
                for daemon in nfs.pinnedDaemons {
                    let ports = Set(seen.rpc.filter { $0.program == daemon.program && $0.protocol == "tcp" }.map(\.port)).sorted()
                    if ports == [daemon.port] {
                        findings.append(Finding(.nfsPortRegistered, hosts: [host.name], .pass, "\(daemon.rpcName) registered at \(daemon.port)/tcp"))
                    } else if ports.isEmpty {
                        findings.append(Finding(.nfsPortRegistered, hosts: [host.name], daemon.required ? .fail : .warn,
                                                "\(daemon.rpcName) is not registered with rpcbind on \(seen.server)\(daemon.required ? "" : " (needed for NFSv3 locking/quotas only)")",
                                                fix: setupNFS))
                    } else {
                        findings.append(Finding(.nfsPortRegistered, hosts: [host.name], .fail,
                                                "\(daemon.rpcName) is registered at \(ports.map { "\($0)/tcp" }.joined(separator: ", ")), the spec pins \(daemon.port): the firewall opens only \(daemon.port)",
                                                fix: "\(setupNFS) (restarts it on the pinned port)"))
                    }
                }
            }
            for port in seen.ports {
                let required = nfs.pinnedDaemons.first { $0.port == port.port }?.required ?? true
                switch port.reach {
                case .open:
                    findings.append(Finding(.nfsPortReachable, hosts: [host.name], .pass, "\(port.service) \(port.address):\(port.port) answers"))
                case .refused:
                    findings.append(Finding(.nfsPortReachable, hosts: [host.name], required ? .fail : .warn,
                                            "\(port.service) \(port.address):\(port.port) refused the connection: reachable, nothing listening", fix: setupNFS))
                case .timeout:
                    findings.append(Finding(.nfsPortReachable, hosts: [host.name], .fail,
                                            "\(port.service) \(port.address):\(port.port) did not answer: a firewall drops it", fix: firewall))
                case .unreachable:
                    findings.append(Finding(.nfsPortReachable, hosts: [host.name], .fail, "\(port.address):\(port.port) is unreachable",
                                            fix: "give \(host.name) an address on \(port.address)'s network"))
                }
            }
            for (_, export) in context.exports(of: host) {
                let listed = seen.exports.first { $0.path == export.path }
                if let listed, listed.clients.isEmpty || listed.clients.contains(where: { NFSExport.entry($0, admits: host) }) {
                    findings.append(Finding(.nfsExportVisible, hosts: [host.name], .pass, "\(export.path) is offered to this host"))
                } else if let error = seen.exportListError {
                    findings.append(Finding(.nfsExportVisible, hosts: [host.name], .fail, "the export list did not come: \(error.message)",
                                            fix: error.code == .timeout ? firewall : setupNFS))
                } else {
                    findings.append(Finding(.nfsExportVisible, hosts: [host.name], .fail,
                                            listed == nil ? "\(seen.server) does not offer \(export.path) to this host" : "\(export.path) is exported to \(listed!.clients.joined(separator: ", ")) only",
                                            fix: setupNFS))
                }
                guard let mount = seen.mounts.first(where: { $0.export == export.path }) else { continue }
                if let error = mount.error {
                    findings.append(Finding(.nfsExportMount, hosts: [host.name], .fail, "mounting \(export.path) failed: \(error.message)",
                                            fix: error.code == .timeout ? firewall : setupNFS))
                } else {
                    findings.append(Finding(.nfsExportMount, hosts: [host.name], .pass, "\(export.path) mounts (libnfs)"))
                    findings += imageAccess(context, host, facts, export, mount)
                }
            }
        }
        findings += canaries(context)
        return findings
    }

    /// With root squashed, qemu's own account must be able to write the export: root on the
    /// hypervisor is nobody there.
    static func imageAccess(_ context: CheckContext, _ host: Host, _ facts: HostFacts, _ export: NFSExport, _ mount: ExportMountFacts) -> [Finding] {
        guard export.squashesRoot else {
            return [Finding(.nfsImageAccess, hosts: [host.name], .pass, "\(export.path): no_root_squash, root on the hypervisors owns the images")]
        }
        guard let user = facts.system.hypervisorUser.value else {
            return [Finding(.nfsImageAccess, hosts: [host.name], .skip, facts.system.hypervisorUser.reason ?? "qemu's account is unknown")]
        }
        guard let uid = mount.rootUID, let gid = mount.rootGID, let mode = mount.rootMode else {
            return [Finding(.nfsImageAccess, hosts: [host.name], .skip, "the owner of \(export.path) could not be read")]
        }
        let writable = (uid == user.uid && mode & 0o200 != 0) || (gid == user.gid && mode & 0o020 != 0) || mode & 0o002 != 0
        let shown = "\(export.path) is \(uid):\(gid) mode \(String(mode, radix: 8))"
        return [writable
            ? Finding(.nfsImageAccess, hosts: [host.name], .pass, "\(shown): writable by \(user.name) (\(user.uid)) under root_squash")
            : Finding(.nfsImageAccess, hosts: [host.name], .fail,
                      "\(shown): with root_squash, root on a hypervisor is nobody there, and qemu runs as \(user), which cannot write it",
                      fix: "on \(context.spec.nfs?.server ?? "the server"): chown \(user.uid):\(user.gid) \(export.path) (the same uid on every hypervisor), or no_root_squash in the export's options")]
    }

    /// Each hypervisor wrote a canary on every export it mounts; its `CanaryPlan` reader (the
    /// previous host in the ring, or every other one with `--all-pairs`) must read it back
    /// byte-identical (same server, same export, same file).
    static func canaries(_ context: CheckContext) -> [Finding] {
        guard let nfs = context.spec.nfs else { return [] }
        var findings: [Finding] = []
        let plan = CanaryPlan.reads(hosts: context.hypervisors, facts: context.facts, allPairs: context.allPairs)
        for export in nfs.exports {
            let clients = context.answered.filter { $0.host.name != nfs.server && export.admits($0.host) }
            let mounts = clients.compactMap { client in client.facts.nfs?.mounts.first { $0.export == export.path && $0.error == nil }.map { (host: client.host.name, mount: $0) } }
            for (host, mount) in mounts where mount.canary == nil {
                findings.append(Finding(.nfsCanaryShared, hosts: [host], .fail, "could not write a file on \(export.path): \(mount.canaryError ?? "no canary written")",
                                        fix: "the export must be writable by the hypervisors: rw in its options, and see nfs.image.access"))
            }
            let written = Dictionary(mounts.compactMap { entry in entry.mount.canary.map { (entry.host, $0) } }, uniquingKeysWith: { first, _ in first })
            guard !written.isEmpty else { continue }
            if mounts.count < 2 {
                findings.append(Finding(.nfsCanaryShared, hosts: mounts.map(\.host), .skip, "only one hypervisor mounts \(export.path): nothing to compare"))
                continue
            }
            for (reader, _) in mounts {
                let reads = context.facts.canaryReads.filter { $0.export == export.path && $0.reader == reader }
                let expected = Set((plan[reader] ?? []).filter { $0.export == export.path }.map(\.writer))
                var failed = false
                for writer in expected.sorted() where writer != reader {
                    guard let canary = written[writer] else { continue }
                    guard let read = reads.first(where: { $0.writer == writer }) else {
                        findings.append(Finding(.nfsCanaryShared, hosts: [reader], .fail, "did not read the file \(writer) wrote on \(export.path)",
                                                fix: "run check again; if it persists, see host.facts"))
                        failed = true
                        continue
                    }
                    if read.content != canary.content {
                        let why = read.error ?? "read \(read.content?.utf8.count ?? 0) byte(s) that differ from the \(canary.content.utf8.count) \(writer) wrote"
                        findings.append(Finding(.nfsCanaryShared, hosts: [reader], .fail, "cannot read back \(export.path)\(canary.path) written by \(writer): \(why)",
                                                fix: "every hypervisor must mount the same server and export (nfs.address, nfs.exports[].path)"))
                        failed = true
                    }
                }
                if !failed && !expected.isEmpty {
                    findings.append(Finding(.nfsCanaryShared, hosts: [reader], .pass,
                                            context.allPairs
                                                ? "reads back, byte-identical, the files the other hypervisors wrote on \(export.path)"
                                                : "reads back, byte-identical, the file its ring neighbour wrote on \(export.path)"))
                }
            }
        }
        return findings
    }
}
