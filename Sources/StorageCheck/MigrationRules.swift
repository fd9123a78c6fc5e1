import StorageModel

/// Between every pair of hypervisors: migration ports connect, the CPUs and OS match, the same
/// bridges exist, SELinux lets qemu use NFS, and every guest's disks are on shared storage with
/// a cache mode that is safe to migrate.
enum MigrationRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        let answered = context.sharing
        var findings: [Finding] = []
        findings += ports(context)
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

        let systems = Dictionary(grouping: answered, by: { "\($0.facts.system.osID ?? "unknown") \($0.facts.system.osMajor ?? "?")" })
        findings.append(systems.count == 1
            ? Finding(.migrationOS, hosts: answered.map(\.host.name), .pass, "every hypervisor runs \(systems.keys.first!)")
            : Finding(.migrationOS, hosts: answered.map(\.host.name), .fail,
                      "OS releases differ: " + systems.map { "\($0.value.map(\.host.name).joined(separator: ", ")) \($0.key)" }.sorted().joined(separator: "; "),
                      fix: "run one OS major release on all hypervisors (qemu machine types and libvirt differ between them)"))

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
                        .map { "\($0.port.service) \($0.port.address):\($0.port.port) \($0.port.reach == .timeout ? "dropped" : "unreachable")" }.joined(separator: ", ")
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
        let groups = Dictionary(grouping: known, by: { "\($0.user.uid):\($0.user.gid)" })
        guard groups.count > 1 else {
            return [Finding(.migrationQemuAccount, hosts: known.map(\.host), .pass, "qemu runs as \(known[0].user) on every hypervisor")]
        }
        let ranked = groups.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        let usual = ranked[0]
        // A tie has no usual account: every host is named.
        let odd = ranked.count > 1 && ranked[1].value.count == usual.value.count ? known : ranked.dropFirst().flatMap(\.value)
        let seen = ranked.map { "\($0.value.map(\.host).joined(separator: ", ")) \($0.value[0].user)" }.joined(separator: "; ")
        let user = usual.value[0].user
        return [Finding(.migrationQemuAccount, hosts: odd.map(\.host).sorted(), .fail,
                        "qemu's account differs between hypervisors (\(seen)): an image qemu creates on one is owned by its uid, and qemu on another cannot open it",
                        fix: "give \(user.name) uid \(user.uid) and gid \(user.gid) on \(odd.map(\.host).sorted().joined(separator: ", ")) (usermod -u \(user.uid) -g \(user.gid) \(user.name), with its guests stopped), then chown its images to \(user.uid):\(user.gid)")]
    }

    /// Every migration connect it made was dropped, and so was every storage server it tried:
    /// the fault is on its side, not on each peer's.
    static func isCutOff(_ facts: HostFacts) -> Bool {
        guard !facts.migrationPorts.isEmpty, facts.migrationPorts.allSatisfy(\.reach.isFiltered) else { return false }
        var servers = facts.iscsi.map(\.tcp)
        if let nfs = facts.nfs { servers.append(nfs.rpcbind) }
        return !servers.isEmpty && servers.allSatisfy(\.isFiltered)
    }

    static func disks(_ context: CheckContext, _ host: Host, _ facts: HostFacts) -> [Finding] {
        guard let domains = facts.domains.value else {
            return [Finding(.migrationDisksShared, hosts: [host.name], .skip, facts.domains.reason ?? "")]
        }
        let spec = context.spec
        let shared = Set(spec.sharedMounts(of: host).map(\.mountPoint) + [spec.mountPath])
        let drbd = spec.drbdResources(of: host.name)
        let devices = Set((spec.iscsi?.allLUNs ?? []).map { "/dev/mapper/\(spec.multipathAlias(of: $0.target, $0.lun))" })
            .union(drbd.flatMap(spec.drbdDiskSources(of:)))
        var findings: [Finding] = []
        for domain in domains {
            for disk in domain.disks {
                let onShared = devices.contains(disk.source) || shared.contains { disk.source.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
                findings.append(onShared
                    ? Finding(.migrationDisksShared, hosts: [host.name], .pass, "\(domain.name): \(disk.source) is on shared storage")
                    : Finding(.migrationDisksShared, hosts: [host.name], .fail,
                              "\(domain.name): \(disk.source) is not under \(spec.mountPath)\(drbd.isEmpty ? "" : " nor a DRBD device of the spec"): the guest cannot move without copying its disk",
                              fix: drbd.isEmpty
                                  ? "move the image under \(spec.mountPath) and point the guest at it (virsh edit \(domain.name))"
                                  : "put the disk on a DRBD resource (\(drbd.map { "drbd:\($0.name) or \($0.device)" }.joined(separator: ", "))) or under \(spec.mountPath)"))
                if spec.migration.hypervisor == .kvm {
                    let cache = disk.cache ?? "default"
                    findings.append(["none", "directsync"].contains(cache)
                        ? Finding(.migrationDisksCache, hosts: [host.name], .pass, "\(domain.name): \(disk.source) cache=\(cache)")
                        : Finding(.migrationDisksCache, hosts: [host.name], .fail,
                                  "\(domain.name): \(disk.source) uses cache=\(cache): libvirt refuses (or risks) live migration with a host page cache",
                                  fix: "virsh edit \(domain.name): <driver … cache='none'/> on that disk"))
                }
            }
        }
        if domains.isEmpty { findings.append(Finding(.migrationDisksShared, hosts: [host.name], .pass, "no guests defined")) }
        return findings
    }
}
