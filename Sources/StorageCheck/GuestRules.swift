import StorageFacts
import StorageModel

/// What in a defined KVM guest, storage aside, decides whether it can move to every other
/// sharing hypervisor: its CPU definition against the hosts' CPUs, its machine type against
/// each QEMU, and what libvirt refuses to live-migrate outright.
enum GuestRules {
    static func evaluate(_ answered: [(host: Host, facts: HostFacts)]) -> [Finding] {
        var findings: [Finding] = []
        let flags = answered.map { (host: $0.host.name, flags: Set($0.facts.system.cpuFlags)) }
        let machines = answered.compactMap { entry in entry.facts.system.machineTypes.value.map { (host: entry.host.name, types: Set($0)) } }
        for (host, facts) in answered {
            for domain in facts.domains.value ?? [] {
                findings += cpu(domain, on: host.name, flags)
                if let machine = domain.machine { findings.append(self.machine(machine, of: domain.name, on: host.name, machines)) }
                if !domain.blockers.isEmpty {
                    findings.append(Finding(.migrationGuestBlockers, hosts: [host.name], .warn,
                                            "\(domain.name): libvirt will not live-migrate it with \(domain.blockers.joined(separator: ", "))",
                                            fix: "remove them before migrating (virsh edit \(domain.name); virsh snapshot-delete for snapshots), or keep \(domain.name) on \(host.name)"))
                }
            }
        }
        findings += qemuReleases(answered)
        return findings
    }

    /// host-passthrough and host-model give the guest this host's CPU, so every destination must
    /// have all of its flags; a named model needs each feature it requires on every host.
    static func cpu(_ domain: DomainFacts, on host: String, _ flags: [(host: String, flags: Set<String>)]) -> [Finding] {
        guard let mode = domain.cpuMode, let own = flags.first(where: { $0.host == host })?.flags else { return [] }
        let wanted: Set<String> = (["host-passthrough", "host-model"].contains(mode) ? own : Set(domain.cpuFeatures)).subtracting(linuxOnlyFlags)
        // Only a feature some host has and another lacks: libvirt's names and /proc/cpuinfo's
        // agree on most flags, and one no host shows (invtsc) says nothing about a difference.
        let everywhere = flags.reduce(Set<String>()) { $0.union($1.flags) }
        let lacking = flags.filter { $0.host != host }.compactMap { peer -> (String, [String])? in
            let missing = wanted.intersection(everywhere).subtracting(peer.flags)
            return missing.isEmpty ? nil : (peer.host, missing.sorted())
        }
        guard !lacking.isEmpty else {
            return [Finding(.migrationGuestCPU, hosts: [host], .pass, "\(domain.name): its CPU (\(mode)) exists on every hypervisor")]
        }
        let detail = lacking.map { "\($0.0) lacks \($0.1.prefix(6).joined(separator: " "))\($0.1.count > 6 ? " and \($0.1.count - 6) more" : "")" }.joined(separator: "; ")
        return [Finding(.migrationGuestCPU, hosts: [host], .fail,
                        "\(domain.name) uses <cpu mode='\(mode)'>: \(detail), so it cannot move there",
                        fix: "give \(domain.name) a CPU model every hypervisor has (virsh domcapabilities on each; <cpu mode='custom'><model>…</model></cpu>, guest shut off)")]
    }

    /// Flags /proc/cpuinfo shows that Linux derives itself (timekeeping, topology, mitigations
    /// in use, VMX capabilities), not CPUID features a guest sees: a difference in them does not
    /// stop a guest CPU from moving.
    static let linuxOnlyFlags: Set<String> = [
        "constant_tsc", "nonstop_tsc", "nonstop_tsc_s3", "tsc_reliable", "tsc_known_freq", "art", "up", "arch_perfmon", "pebs", "bts",
        "rep_good", "acc_power", "nopl", "xtopology", "cpuid", "cpuid_fault", "extd_apicid", "amd_dcm", "aperfmperf", "rapl", "epb", "cpb",
        "hw_pstate", "proc_feedback", "pti", "ibrs_enhanced", "invpcid_single", "ring3mwait", "cat_l2", "cat_l3", "cdp_l3", "mba",
        "cqm_llc", "cqm_occup_llc", "cqm_mbm_total", "cqm_mbm_local", "split_lock_detect", "user_shstk", "tpr_shadow", "vnmi",
        "flexpriority", "ept", "vpid", "ept_ad", "vmmcall",
    ]

    static func machine(_ machine: String, of domain: String, on host: String, _ machines: [(host: String, types: Set<String>)]) -> Finding {
        let lacking = machines.filter { !$0.types.contains(machine) }.map(\.host)
        guard !lacking.isEmpty else {
            return Finding(.migrationGuestMachine, hosts: [host], .pass, "\(domain): machine type \(machine) is offered by every hypervisor's QEMU")
        }
        return Finding(.migrationGuestMachine, hosts: [host], .fail,
                       "\(domain): machine type \(machine) is not offered by QEMU on \(lacking.joined(separator: ", ")): qemu cannot start it there",
                       fix: "upgrade QEMU on \(lacking.joined(separator: ", ")), or give \(domain) a machine type all of them list (qemu-system-x86_64 -machine help; the guest's hardware changes: shut it off first)")
    }

    /// A guest started under a newer QEMU may use what an older destination lacks.
    static func qemuReleases(_ answered: [(host: Host, facts: HostFacts)]) -> [Finding] {
        let known = answered.compactMap { entry in entry.facts.system.qemuVersion.value.map { (host: entry.host.name, version: $0) } }
        guard known.count > 1, let newest = known.map(\.version).max() else { return [] }
        let older = known.filter { $0.version < newest }
        guard !older.isEmpty else { return [] }
        return [Finding(.migrationGuestMachine, hosts: older.map(\.host).sorted(), .warn,
                        "QEMU releases differ (" + known.sorted { $0.host < $1.host }.map { "\($0.host) \($0.version)" }.joined(separator: ", ") + "): a guest started under QEMU \(newest) can use machine types and devices the older ones lack",
                        fix: "upgrade QEMU on \(older.map(\.host).sorted().joined(separator: ", ")) to \(newest)")]
    }
}
