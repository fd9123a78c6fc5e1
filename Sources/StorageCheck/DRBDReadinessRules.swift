import StorageFacts
import StorageModel

/// Each DRBD resource on each of its two hosts: up in the kernel, connected to the other, the
/// roles live migration needs (Primary on both in dual-primary mode), and an UpToDate disk (no
/// resync running). A split brain shows as StandAlone: NOT READY, with the recovery commands.
enum DRBDReadinessRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        guard let drbd = context.spec.drbd else { return [] }
        var findings: [Finding] = []
        for host in context.hypervisors {
            guard let facts = context.facts.facts(host.name) else { continue }  // host.facts says why.
            let resources = drbd.resources.filter { $0.hosts.contains { $0.name == host.name } }
            guard !resources.isEmpty else { continue }
            guard let seen = facts.drbd.value else {
                findings.append(Finding(.drbdState, hosts: [host.name], .skip, facts.drbd.reason ?? "no DRBD facts"))
                continue
            }
            for resource in resources {
                findings += judge(resource, on: host.name, seen, context)
            }
        }
        return findings
    }

    /// The four checks of one resource on one host, from its own kernel and (for a split brain)
    /// what its peer's kernel says.
    static func judge(_ resource: DRBDResource, on host: String, _ seen: DRBDFacts, _ context: CheckContext) -> [Finding] {
        let name = resource.name
        let peer = context.spec.drbdPeer(of: host, in: resource)?.name ?? "the peer"
        guard let device = seen.device(of: resource, peer: peer) else {
            return [Finding(.drbdState, hosts: [host], .fail, "\(name) (\(resource.device)) is not up: \(seen.source) does not list it",
                            fix: "on \(host): drbdadm up \(name) (the first time: drbdadm create-md \(name) before); drbdadm uses the `on` section named like `uname -n`, so \(host) must be that name")]
        }
        var findings = [Finding(.drbdState, hosts: [host], .pass, "\(name) is up (\(resource.device))")]
        findings.append(connection(resource, device, on: host, peer: peer, context))
        findings.append(role(resource, device, on: host, context))
        findings.append(disk(resource, device, on: host))
        return findings
    }

    static func connection(_ resource: DRBDResource, _ device: DRBDDeviceFacts, on host: String, peer: String, _ context: CheckContext) -> Finding {
        let name = resource.name
        if device.isConnected {
            return Finding(.drbdConnected, hosts: [host], .pass, "\(name) is connected to \(peer)")
        }
        let peerState = context.facts.facts(peer)?.drbd.value?.device(of: resource, peer: host)?.connection
        if device.connection == .standAlone || peerState == .standAlone {
            let both = peerState.map { " (\(peer): \($0))" } ?? ""
            return Finding(.drbdConnected, hosts: [host], .fail,
                           "\(name) is \(device.connection) here\(both): DRBD stopped replicating, as it does after a split brain (kernel log: \"Split-Brain detected\"); the two disks may differ",
                           fix: splitBrainRecovery(name, hosts: resource.hosts.map(\.name)))
        }
        if device.connection == .wfConnection || device.connection == .connecting {
            let address = context.spec.drbdPeer(of: host, in: resource).flatMap(context.spec.drbdAddress(of:)) ?? peer
            return Finding(.drbdConnected, hosts: [host], .fail,
                           "\(name) waits for \(peer) (\(device.connection)): nothing answers on \(address):\(resource.port)",
                           fix: "on \(peer): drbdadm up \(name) (or drbdadm adjust \(name)); if it is up there, \(context.firewallFix(peer))")
        }
        return Finding(.drbdConnected, hosts: [host], .fail, "\(name) is not connected to \(peer) (\(device.connection))",
                       fix: "on \(host): drbdadm adjust \(name); the reason is in the kernel log (dmesg | grep drbd)")
    }

    /// LINBIT's manual recovery (DRBD 8.4 and 9 alike): the victim throws away what it wrote
    /// since the split and resyncs from the survivor.
    static func splitBrainRecovery(_ name: String, hosts: [String]) -> String {
        "choose the host whose changes since the split are thrown away (the victim: \(hosts.joined(separator: " or ")); stop the guests using \(name) there first). "
            + "On the victim: drbdadm disconnect \(name); drbdadm secondary \(name); drbdadm connect --discard-my-data \(name). "
            + "On the survivor: drbdadm disconnect \(name); drbdadm connect \(name) (not needed if it waits in WFConnection/Connecting)"
    }

    static func role(_ resource: DRBDResource, _ device: DRBDDeviceFacts, on host: String, _ context: CheckContext) -> Finding {
        let name = resource.name
        guard resource.allowTwoPrimaries else {
            return Finding(.drbdRoles, hosts: [host], .warn, "\(name) is \(device.role) and single-primary (allowTwoPrimaries: false): a guest on it cannot live-migrate",
                           fix: "remove `allowTwoPrimaries: false` from the spec, render and drbdadm adjust \(name) on both hosts")
        }
        if device.role == .primary {
            return Finding(.drbdRoles, hosts: [host], .pass, "\(name) is Primary (dual primary)")
        }
        // Xen's block-drbd script (disk = ['drbd:r0,…']) promotes the resource as the guest starts or arrives.
        let viaScript = context.facts.facts(host)?.domains.value?.contains { $0.disks.contains { $0.source == "drbd:\(name)" } } == true
        if viaScript {
            return Finding(.drbdRoles, hosts: [host], .pass, "\(name) is \(device.role); its guests use drbd:\(name), which Xen's block-drbd promotes on start")
        }
        return Finding(.drbdRoles, hosts: [host], .fail,
                       "\(name) is \(device.role) here: a guest on \(resource.device) cannot start or arrive on \(host) (dual primary needs Primary on both hosts)",
                       fix: "on \(host), once \(name) is connected and UpToDate: drbdadm primary \(name)")
    }

    static func disk(_ resource: DRBDResource, _ device: DRBDDeviceFacts, on host: String) -> Finding {
        let name = resource.name
        if let replication = device.replication, replication.isResync {
            let done = device.syncPercent.map { ", \(formatted($0)) % done" } ?? ""
            let fix = replication.isPaused
                ? "the resync is paused: drbdadm resume-sync \(name), then wait for it to finish"
                : "wait until it finishes (drbdadm status \(name) or cat /proc/drbd shows UpToDate/UpToDate); do not migrate guests on \(name) before"
            return Finding(.drbdUpToDate, hosts: [host], .fail,
                           "\(name) is resyncing (\(replication)\(done)): \(device.disk) here, \(device.peerDisk) on the peer", fix: fix)
        }
        guard device.disk == .upToDate else {
            return Finding(.drbdUpToDate, hosts: [host], .fail, "\(name)'s disk here is \(device.disk), not UpToDate", fix: diskFix(device.disk, resource, host))
        }
        if device.isConnected && device.peerDisk != .upToDate {
            return Finding(.drbdUpToDate, hosts: [host], .fail, "\(name) is UpToDate here but \(device.peerDisk) on the peer",
                           fix: "see drbd.uptodate of the peer; a resync starts when both are connected")
        }
        return Finding(.drbdUpToDate, hosts: [host], .pass, device.isConnected ? "\(name) is UpToDate/UpToDate" : "\(name) is UpToDate here")
    }

    static func diskFix(_ state: DRBDDiskState, _ resource: DRBDResource, _ host: String) -> String {
        let name = resource.name
        switch state {
        case .inconsistent:
            return "a new resource has no good copy yet: on the host whose disk holds the data, drbdadm primary --force \(name); the other syncs from it"
        case .outdated, .consistent:
            return "on \(host): drbdadm connect \(name) (it resyncs from its peer once connected)"
        case .diskless, .failed, .detaching:
            return "on \(host): \(name) has no backing disk (\(resource.disk) detached after an I/O error?): check the disk, then drbdadm attach \(name)"
        default:
            return "on \(host): drbdadm adjust \(name); the reason is in the kernel log (dmesg | grep drbd)"
        }
    }

    static func formatted(_ percent: Double) -> String {
        percent == percent.rounded() ? String(Int(percent)) : String(percent)
    }
}
