/// Warnings about who may reach the storage beyond the cluster: root access to an export from
/// a whole network, mounts from unprivileged ports, targets anyone allowed by name may log in
/// to, ports no firewall guards. Warnings, not errors: each can be a deliberate choice, and
/// `check` repeats them as `spec.exposure` so they are seen where readiness is judged.
extension ValidationRun {
    mutating func checkExposure() {
        if let nfs = spec.nfs {
            for (index, export) in nfs.exports.enumerated() { checkExportExposure(export, at: "nfs.exports[\(index)]") }
        }
        for (index, target) in (spec.iscsi?.targets ?? []).enumerated() where target.chap == nil && !target.initiators.isEmpty {
            exposure("iscsi.targets[\(index)].chap", "no CHAP: any initiator that reaches a portal and uses an allowed initiator name or address logs in to \(target.iqn)",
                fix: "add `chap: {username: NAME, secretFile: /etc/storagekit/\(spec.cluster)-chap.secret}` (a file of mode 0600 holding the secret)")
        }
        let serves = spec.nfs != nil || !(spec.iscsi?.targets ?? []).isEmpty || !(spec.drbd?.resources ?? []).isEmpty
        if serves && !spec.firewall.manage {
            exposure("firewall", "storagekit does not manage the firewall: the pinned NFS ports, iSCSI portals and DRBD ports answer every network that can route to them",
                fix: "set `firewall: {manage: true}`, or open exactly the ports `storagekit render` lists (etc/iptables/rules.v4) in your own firewall")
        }
    }

    private mutating func checkExportExposure(_ export: NFSExport, at path: String) {
        if export.options.contains("no_root_squash") {
            let hypervisorAddresses = spec.hypervisors.flatMap(\.addresses)
            for client in export.clients {
                if client == "*" {
                    exposure("\(path).clients", "any host (*) may mount this export as root (no_root_squash)",
                        fix: "list the storage network instead of *, e.g. \(spec.networks.first ?? "10.20.0.0/24")")
                } else if client.contains("*") || client.contains("?") {
                    exposure("\(path).clients", "every host matching \(client) may mount this export as root (no_root_squash)",
                        fix: "list the hypervisors' addresses: \(hypervisorAddresses.prefix(4).joined(separator: ", "))")
                } else if let network = IPv4Network(client), network.prefix < 32 {
                    let outside = max(network.size - 2, 1) - hypervisorAddresses.compactMap(IPv4Address.init).filter { network.contains($0) }.count
                    guard outside > 0 else { continue }
                    exposure("\(path).clients", "\(outside) address(es) of \(client) besides the hypervisors may mount this export as root (no_root_squash)",
                        fix: "list the hypervisors' addresses instead (\(hypervisorAddresses.prefix(4).joined(separator: ", "))), or keep \(client) only if nothing else lives in it")
                }
            }
        }
        if export.options.contains("insecure") {
            exposure("\(path).options", "insecure accepts mounts from unprivileged source ports (above 1023): any user on a client host may mount it and act as any uid",
                fix: "remove `insecure` unless a client needs it (e.g. userspace NFS clients such as libnfs running as a user)")
        }
    }
}
