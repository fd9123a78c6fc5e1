import StorageFacts
import StorageModel

/// Between every pair of hypervisors: migration ports connect, the CPUs and OS match, the same
/// bridges exist, SELinux lets qemu use NFS, and every guest's disks are on shared storage with
/// a cache mode that is safe to migrate.
enum MigrationRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        let answered = context.sharing
        var findings: [Finding] = []
        findings += ports(context)
        findings += SSHTrustRule.evaluate(context)
        guard !answered.isEmpty else { return findings }

        let vendors = Dictionary(grouping: answered, by: { $0.facts.system.cpuVendor ?? "unknown" })
        findings.append(vendors.count == 1
            ? Finding(.migrationCPUVendor, hosts: answered.map(\.host.name), .pass, "every hypervisor's CPU is \(vendors.keys.first!)")
            : Finding(.migrationCPUVendor, hosts: answered.map(\.host.name), .fail,
                      "CPU vendors differ: " + vendors.sorted { $0.key < $1.key }.map { "\($0.value.map(\.host.name).joined(separator: ", ")) \($0.key)" }.joined(separator: "; ") + ": a running guest cannot move between them",
                      fix: "keep the hypervisors of one vendor in this cluster (split the spec)"))

        let flagSets = answered.map { (host: $0.host.name, flags: Set($0.facts.system.cpuFlags)) }
        let common = flagSets.dropFirst().reduce(flagSets[0].flags) { $0.intersection($1.flags) }
        let every = flagSets.reduce(Set<String>()) { $0.union($1.flags) }
        let lacking = flagSets.compactMap { entry -> (String, Set<String>)? in
            let missing = every.subtracting(entry.flags)
            return missing.isEmpty ? nil : (entry.host, missing)
        }
        findings.append(lacking.isEmpty
            ? Finding(.migrationCPUFlags, hosts: answered.map(\.host.name), .pass, "every hypervisor has the same \(common.count) CPU flags")
            : Finding(.migrationCPUFlags, hosts: lacking.map(\.0), .warn,
                      lacking.map { "\($0.0) lacks \($0.1.sorted().prefix(8).joined(separator: " "))\($0.1.count > 8 ? " and \($0.1.count - 8) more" : "")" }.joined(separator: "; "),
                      fix: "define guests with a CPU model all hypervisors have (virsh domcapabilities; <cpu mode='custom'>), not host-passthrough"))

        let bridges = Dictionary(grouping: answered, by: { $0.facts.system.bridges.sorted() })
        findings.append(bridges.count == 1
            ? Finding(.migrationBridges, hosts: answered.map(\.host.name), .pass,
                      bridges.keys.first!.isEmpty ? "no hypervisor has a bridge (guests use no bridged network)" : "every hypervisor has bridges \(bridges.keys.first!.joined(separator: ", "))")
            : Finding(.migrationBridges, hosts: answered.map(\.host.name), .fail,
                      "bridges differ: " + bridges.map { "\($0.value.map(\.host.name).joined(separator: ", ")): \($0.key.isEmpty ? "none" : $0.key.joined(separator: ", "))" }.sorted().joined(separator: "; "),
                      fix: "create the same bridges on every hypervisor: a guest's <interface> names its bridge"))

        let systems = Outliers(answered.map { (host: $0.host.name, key: $0.facts.system.osRelease) })
        findings.append(systems.agree
            ? Finding(.migrationOS, hosts: answered.map(\.host.name), .pass, "every hypervisor runs \(systems.usual ?? "")")
            : Finding(.migrationOS, hosts: systems.odd, .fail,
                      "OS releases differ (\(systems.described { $0 })): qemu's machine types and libvirt differ between releases, even between 24.04 and 24.10",
                      fix: "run one OS release (the same VERSION_ID in /etc/os-release) on all hypervisors"
                          + (systems.odd.count < answered.count ? ": upgrade \(systems.odd.joined(separator: ", ")) to \(systems.usual ?? "")" : "")))

        findings += qemuAccounts(context)

        for (host, facts) in answered {
            if context.spec.nfs != nil, context.spec.osFamily(of: host) == .rhel {
                switch facts.system.virtUseNFS {
                case .known(true): findings.append(Finding(.migrationSELinux, hosts: [host.name], .pass, "virt_use_nfs is on"))
                case .known(false): findings.append(Finding(.migrationSELinux, hosts: [host.name], .fail, "SELinux keeps qemu off NFS: virt_use_nfs is off", fix: "setsebool -P virt_use_nfs on"))
                case .unknown(let reason): findings.append(Finding(.migrationSELinux, hosts: [host.name], .skip, reason))
                }
            }
            findings += disks(context, host, facts)
        }
        if context.spec.migration.hypervisor == .kvm {
            findings += GuestRules.evaluate(answered)
            findings += TPMRule.evaluate(context)
            findings += portRanges(context)
            findings += context.sharing.map { address(of: $0.host, $0.facts, context.spec) }
        }
        return findings
    }

    /// Judged per destination: its migration ports as its probers (`PeerPlan`) saw them. A
    /// drop is the destination's unless the prober reached nothing at all (no peer, no storage
    /// server): then the prober is cut off, and it alone is named.
    static func ports(_ context: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        let sharing = context.sharing
        let names = Set(sharing.map(\.host.name))
        let probes = sharing.flatMap { entry in
            entry.facts.migrationPorts.compactMap { port in port.peer.flatMap { names.contains($0) ? (source: entry.host.name, destination: $0, port: port) : nil } }
        }
        let cutOff = Set(sharing.filter { isCutOff($0.facts) }.map(\.host.name))
        for (host, facts) in sharing where cutOff.contains(host.name) {
            let dropped = facts.migrationPorts.filter { names.contains($0.peer ?? "") }
            let peers = Array(Set(dropped.compactMap(\.peer))).sorted()
            findings.append(Finding(.migrationPort, hosts: [host.name], .fail,
                                    "reaches none of its peers' migration ports (\(peers.joined(separator: ", ")): \(dropped.count) connects dropped) nor the storage servers: its own network or firewall drops its traffic",
                                    fix: "on \(host.name): ip -br addr (an address on the storage network?), iptables -S OUTPUT (a DROP?), and its switch port"))
        }
        for (destination, _) in sharing {
            let seen = probes.filter { $0.destination == destination.name && !cutOff.contains($0.source) }
            guard !seen.isEmpty else { continue }
            let bySource = Dictionary(grouping: seen, by: \.source)
            let failing = bySource.filter { $0.value.contains { $0.port.reach.isFiltered } }
            if !failing.isEmpty {
                let detail = failing.sorted { $0.key < $1.key }.map { source, probes in
                    "from \(source): " + probes.filter { $0.port.reach.isFiltered }
                        .map { "\($0.port.service) \($0.port.address):\($0.port.portText) \($0.port.reach == .timeout ? "dropped" : "unreachable")" }.joined(separator: ", ")
                }
                findings.append(Finding(.migrationPort, hosts: [destination.name], .fail, detail.joined(separator: "; "), fix: context.firewallFix(destination.name)))
                continue
            }
            let control = seen.map(\.port).filter { $0.service != "qemu-migration" }
            if !control.isEmpty && !control.contains(where: { $0.reach == .open }) {
                let ports = Array(Set(control.map(\.port))).sorted()
                let services = Array(Set(control.map(\.service))).sorted()
                findings.append(Finding(.migrationPort, hosts: [destination.name], .warn,
                                        "nothing listens on \(ports.map(String.init).joined(separator: "/")) (\(services.joined(separator: ", ")))"
                                            + (context.spec.migration.hypervisor == .kvm ? "; fine when migrating over qemu+ssh://" : ": `xm migrate` to it needs xend running there"),
                                        fix: context.spec.migration.hypervisor == .kvm ? "for qemu+tcp:// or qemu+tls://: enable libvirtd's TCP/TLS listener on \(destination.name)" : "enable xend's relocation server on \(destination.name) (`migration: {configure: true}` writes it), or use xl (`toolstack: xl`), which migrates over ssh"))
            } else {
                findings.append(Finding(.migrationPort, hosts: [destination.name], .pass,
                                        context.allPairs ? "migration ports not filtered from any other hypervisor" : "migration ports not filtered from its ring neighbours"))
            }
        }
        return findings
    }

    /// A peer migrating here connects to what this host's name resolves to (libvirt puts the
    /// destination's host name in the migration URI), or to qemu.conf's migration_host. Debian's
    /// `127.0.1.1 <hostname>` line sends it to itself; an address off the storage networks goes
    /// where the firewall and the spec never looked.
    static func address(of host: Host, _ facts: HostFacts, _ spec: ClusterSpec) -> Finding {
        let networks = spec.networks.compactMap(IPv4Network.init)
        let onNetwork = { (text: String) in IPv4Address(text).map { address in networks.contains { $0.contains(address) } } ?? false }
        let isLoopback = { (text: String) in text.hasPrefix("127.") }
        switch facts.system.migrationAddress {
        case .unknown(let reason):
            return Finding(.migrationAddress, hosts: [host.name], .skip, reason)
        case .known(let seen):
            let conf = "/etc/libvirt/qemu.conf"
            if let listen = seen.listenAddress, !["0.0.0.0", "::", "[::]"].contains(listen), !host.addresses.contains(listen) {
                return Finding(.migrationAddress, hosts: [host.name], .fail,
                               "incoming migrations listen on \(listen) only (migration_address in \(conf)), not on its storage address \(host.addresses.joined(separator: ", "))",
                               fix: "on \(host.name): set migration_address = \"\(host.addresses.first ?? "0.0.0.0")\" (or remove it) in \(conf), then restart libvirtd")
            }
            if let given = seen.migrationHost {
                if IPv4Address(given) != nil && !host.addresses.contains(given) {
                    return Finding(.migrationAddress, hosts: [host.name], .fail,
                                   "peers are told to migrate to \(given) (migration_host in \(conf)), which is not one of its addresses (\(host.addresses.joined(separator: ", ")))",
                                   fix: "on \(host.name): set migration_host = \"\(host.addresses.first ?? "")\" in \(conf), then restart libvirtd")
                }
                return Finding(.migrationAddress, hosts: [host.name], .pass, "peers migrate to \(given) (migration_host)")
            }
            let fix = "on \(host.name): make its name resolve to its storage address (`\(host.addresses.first ?? "") \(seen.hostname)` in /etc/hosts, above any 127.0.1.1 line, or DNS), or set migration_host = \"\(host.addresses.first ?? "")\" in \(conf)"
            guard let first = seen.resolved.first else {
                return Finding(.migrationAddress, hosts: [host.name], .fail,
                               "its host name \(seen.hostname) does not resolve: libvirt puts it in the migration URI, and peers cannot connect", fix: fix)
            }
            if isLoopback(first) {
                return Finding(.migrationAddress, hosts: [host.name], .fail,
                               "its host name \(seen.hostname) resolves to \(first), a loopback address (Debian's 127.0.1.1 line in /etc/hosts): a peer migrating here would connect to itself", fix: fix)
            }
            guard onNetwork(first) else {
                return Finding(.migrationAddress, hosts: [host.name], .fail,
                               "its host name \(seen.hostname) resolves to \(first), on none of the spec's networks (\(spec.networks.joined(separator: ", "))): migrations would go where neither the spec nor the firewall looked", fix: fix)
            }
            return Finding(.migrationAddress, hosts: [host.name], .pass, "its host name \(seen.hostname) resolves to \(first), on the storage network")
        }
    }

    /// libvirt hands each incoming migration a port of its own range; storagekit's firewall
    /// opens 49152–49215. A range set wider in qemu.conf gets migrations whose port is dropped.
    static func portRanges(_ context: CheckContext) -> [Finding] {
        guard context.spec.firewall.manage else { return [] }
        let opened = PortRange(FirewallPolicy.libvirtPorts.migrationFirst, FirewallPolicy.libvirtPorts.migrationLast)
        return context.sharing.map { host, facts in
            switch facts.system.migrationPortRange {
            case .known(let range) where opened.contains(range):
                return Finding(.migrationPortRange, hosts: [host.name], .pass, "libvirt's migration ports \(range) are inside what storagekit's firewall opens (\(opened))")
            case .known(let range):
                return Finding(.migrationPortRange, hosts: [host.name], .fail,
                               "libvirt gives incoming migrations ports \(range) (migration_port_min/max in /etc/libvirt/qemu.conf), and storagekit's firewall opens \(opened) only: a migration handed a port outside it is dropped",
                               fix: "on \(host.name): set migration_port_min = \(opened.first) and migration_port_max = \(opened.last) in /etc/libvirt/qemu.conf, then restart libvirtd")
            case .unknown(let reason):
                return Finding(.migrationPortRange, hosts: [host.name], .skip, reason)
            }
        }
    }

    /// qemu's account has one uid:gid on every hypervisor that shares image files: an image
    /// qemu creates on one (mode 0644, owned by its uid) is opened read-write by the
    /// destination's qemu, which is denied under another uid (a rehearsal showed it with the
    /// export's directory group-writable, where nfs.image.access passes on every host).
    static func qemuAccounts(_ context: CheckContext) -> [Finding] {
        let spec = context.spec
        let sharesFiles = spec.nfs != nil || (spec.iscsi.map { $0.filesystem != .none } ?? false)
        guard sharesFiles else { return [] }
        let known = context.sharing.compactMap { entry in entry.facts.system.hypervisorUser.value.map { (host: entry.host.name, user: $0) } }
        guard known.count > 1 else { return [] }
        let users = Dictionary(known.map { ("\($0.user.uid):\($0.user.gid)", $0.user) }) { first, _ in first }
        let accounts = Outliers(known.map { (host: $0.host, key: "\($0.user.uid):\($0.user.gid)") })
        guard !accounts.agree, let usual = accounts.usual, let user = users[usual] else {
            return [Finding(.migrationQemuAccount, hosts: known.map(\.host), .pass, "qemu runs as \(known[0].user) on every hypervisor")]
        }
        let odd = accounts.odd
        return [Finding(.migrationQemuAccount, hosts: odd, .fail,
                        "qemu's account differs between hypervisors (\(accounts.described { users[$0].map(String.init(describing:)) ?? $0 })): an image qemu creates on one is owned by its uid, and qemu on another cannot open it",
                        fix: "give \(user.name) uid \(user.uid) and gid \(user.gid) on \(odd.joined(separator: ", ")) (usermod -u \(user.uid) -g \(user.gid) \(user.name), with its guests stopped), then chown its images to \(user.uid):\(user.gid)")]
    }

    /// Every migration connect it made was dropped, and so was every storage server it tried:
    /// the fault is on its side, not on each peer's.
    static func isCutOff(_ facts: HostFacts) -> Bool {
        guard !facts.migrationPorts.isEmpty, facts.migrationPorts.allSatisfy(\.reach.isFiltered) else { return false }
        var servers = facts.iscsi.map(\.tcp)
        if let nfs = facts.nfs { servers.append(nfs.rpcbind) }
        return !servers.isEmpty && servers.allSatisfy(\.isFiltered)
    }

    /// Since libvirt 5.6 with QEMU 4.0, libvirt migrates a disk in any cache mode: QEMU drops
    /// the destination's page cache when it takes over (`qemuMigrationSrcIsSafe`). Before, only
    /// `none` and `directsync` (no host page cache) were safe, and libvirt refused the rest.
    static let cacheSafeSince = (libvirt: SoftwareVersion(5, 6), qemu: SoftwareVersion(4, 0))

    static func cache(of disk: DiskFacts, in domain: String, host: String, _ system: SystemFacts) -> Finding {
        let cache = disk.cache ?? "default"
        let fix = "virsh edit \(domain): <driver … cache='none'/> on that disk"
        if ["none", "directsync"].contains(cache) {
            return Finding(.migrationDisksCache, hosts: [host], .pass, "\(domain): \(disk.source) cache=\(cache)")
        }
        guard let libvirt = system.libvirtVersion.value, let qemu = system.qemuVersion.value else {
            let reason = system.libvirtVersion.reason ?? system.qemuVersion.reason ?? ""
            return Finding(.migrationDisksCache, hosts: [host], .warn,
                           "\(domain): \(disk.source) uses cache=\(cache), safe to migrate only with libvirt ≥ \(cacheSafeSince.libvirt) and QEMU ≥ \(cacheSafeSince.qemu), and their releases are unknown here (\(reason))",
                           fix: fix)
        }
        let releases = "libvirt \(libvirt), QEMU \(qemu)"
        guard libvirt >= cacheSafeSince.libvirt && qemu >= cacheSafeSince.qemu else {
            return Finding(.migrationDisksCache, hosts: [host], .fail,
                           "\(domain): \(disk.source) uses cache=\(cache): with \(releases) (before libvirt \(cacheSafeSince.libvirt) and QEMU \(cacheSafeSince.qemu)) libvirt refuses to migrate a disk with a host page cache",
                           fix: "\(fix), or upgrade libvirt and QEMU")
        }
        if cache == "unsafe" {
            return Finding(.migrationDisksCache, hosts: [host], .warn,
                           "\(domain): \(disk.source) uses cache=unsafe: it migrates (\(releases)), but a host crash can lose writes the guest believes are on disk",
                           fix: fix)
        }
        return Finding(.migrationDisksCache, hosts: [host], .pass,
                       "\(domain): \(disk.source) cache=\(cache), safe to migrate with \(releases) (the destination drops its page cache)")
    }

    /// What else the guest opens by path must be at that path on the destination too: its
    /// CD-ROM and floppy media, NVRAM, direct kernel and initrd, and every backing file of its
    /// disks (a qcow2 overlay on shared storage over a base image that is not is still local).
    static func files(of domain: DomainFacts, host: String, mountPath: String, isShared: (String) -> Bool) -> [Finding] {
        var findings: [Finding] = []
        var seen: [(what: String, path: String)] = domain.files.map { ($0.kind.rawValue, $0.path) }
        for disk in domain.disks {
            switch disk.backingFiles {
            case .known(let chain): seen += chain.map { ("backing file of \(disk.source)", $0) }
            case .unknown(let reason):
                findings.append(Finding(.migrationFilesShared, hosts: [host], .skip, "\(domain.name): the backing chain of \(disk.source) is unknown: \(reason)"))
            }
        }
        let local = seen.filter { !isShared($0.path) }
        for file in local {
            let fix = switch file.what {
            case GuestFile.Kind.cdrom.rawValue, GuestFile.Kind.floppy.rawValue:
                "eject it before migrating (virsh change-media \(domain.name) <target> --eject), or keep the medium under \(mountPath)"
            case GuestFile.Kind.nvram.rawValue:
                "move the NVRAM file under \(mountPath) and point <nvram> at it (virsh edit \(domain.name), guest shut off)"
            default:
                file.what.hasPrefix("backing file") ? "copy the base image under \(mountPath) and qemu-img rebase the overlay onto it (guest shut off)" : "move it under \(mountPath) and virsh edit \(domain.name)"
            }
            findings.append(Finding(.migrationFilesShared, hosts: [host], .fail,
                                    "\(domain.name): its \(file.what) \(file.path) is not under \(mountPath): the destination cannot open it and the guest cannot start there",
                                    fix: fix))
        }
        if local.isEmpty && !seen.isEmpty {
            findings.append(Finding(.migrationFilesShared, hosts: [host], .pass, "\(domain.name): \(seen.count) other file(s) it opens are on shared storage"))
        }
        return findings
    }

    /// Whether a path on `host` is shared storage: under mountPath or a shared mount of the
    /// spec, or one of its multipath or DRBD devices.
    static func isSharedPath(_ spec: ClusterSpec, _ host: Host) -> @Sendable (String) -> Bool {
        let shared = Set(spec.sharedMounts(of: host).map(\.mountPoint) + [spec.mountPath])
        let devices = Set((spec.iscsi?.allLUNs ?? []).map { "/dev/mapper/\(spec.multipathAlias(of: $0.target, $0.lun))" })
            .union(spec.drbdResources(of: host.name).flatMap(spec.drbdDiskSources(of:)))
        return { path in devices.contains(path) || shared.contains { path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") } }
    }

    static func disks(_ context: CheckContext, _ host: Host, _ facts: HostFacts) -> [Finding] {
        guard let domains = facts.domains.value else {
            return [Finding(.migrationDisksShared, hosts: [host.name], .skip, facts.domains.reason ?? "")]
        }
        let spec = context.spec
        let drbd = spec.drbdResources(of: host.name)
        let isShared = isSharedPath(spec, host)
        var findings: [Finding] = []
        for domain in domains {
            findings += files(of: domain, host: host.name, mountPath: spec.mountPath, isShared: isShared)
            for disk in domain.disks {
                let onShared = isShared(disk.source)
                findings.append(onShared
                    ? Finding(.migrationDisksShared, hosts: [host.name], .pass, "\(domain.name): \(disk.source) is on shared storage")
                    : Finding(.migrationDisksShared, hosts: [host.name], .fail,
                              "\(domain.name): \(disk.source) is not under \(spec.mountPath)\(drbd.isEmpty ? "" : " nor a DRBD device of the spec"): the guest cannot move without copying its disk",
                              fix: drbd.isEmpty
                                  ? "move the image under \(spec.mountPath) and point the guest at it (virsh edit \(domain.name))"
                                  : "put the disk on a DRBD resource (\(drbd.map { "drbd:\($0.name) or \($0.device)" }.joined(separator: ", "))) or under \(spec.mountPath)"))
                if spec.migration.hypervisor == .kvm {
                    findings.append(cache(of: disk, in: domain.name, host: host.name, facts.system))
                }
            }
        }
        if domains.isEmpty { findings.append(Finding(.migrationDisksShared, hosts: [host.name], .pass, "no guests defined")) }
        return findings
    }
}
