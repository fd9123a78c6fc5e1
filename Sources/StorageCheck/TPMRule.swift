import StorageFacts
import StorageModel

/// `migration.guest.tpm`: a guest's vTPM can move with it. QEMU (≥ 3.0) carries an emulated
/// TPM's state in the migration stream, so local state needs nothing shared. State kept on
/// shared storage is another matter: both swtpm processes then open the same files, and only
/// libvirt ≥ 8.10 (with swtpm ≥ 0.8) tells swtpm to hand its lock over (`--migration
/// release-lock-outgoing`); before that the migration fails on the lock. An external swtpm
/// is one libvirt does not start: the destination needs its own at the same socket.
enum TPMRule {
    static let streamSince = SoftwareVersion(3, 0)
    static let sharedStateSince = SoftwareVersion(8, 10)

    static func evaluate(_ context: CheckContext) -> [Finding] {
        let sharing = context.sharing
        let systems = sharing.map { ($0.host.name, $0.facts.system) }
        var findings: [Finding] = []
        for (host, facts) in sharing {
            let guests = (facts.domains.value ?? []).compactMap { domain in domain.tpm.map { (domain.name, $0) } }
            guard !guests.isEmpty else { continue }
            let isShared = MigrationRules.isSharedPath(context.spec, host)
            findings += guests.map { finding($0.0, $0.1, on: host.name, isShared: isShared, systems) }
        }
        return findings
    }

    static func finding(_ guest: String, _ tpm: TPMFacts, on host: String, isShared: (String) -> Bool, _ hosts: [(String, SystemFacts)]) -> Finding {
        if tpm.backend == .external {
            return Finding(.migrationGuestTPM, hosts: [host], .warn,
                           "\(guest): its TPM is an external swtpm (<backend type='external'>), which libvirt does not start: the destination needs its own at the same socket, with the same state",
                           fix: "run the guest's swtpm on every hypervisor it may move to, or use <backend type='emulator'>")
        }
        guard let state = tpm.statePath, isShared(state) else {
            let old = hosts.filter { ($0.1.qemuVersion.value ?? streamSince) < streamSince }.map(\.0)
            if !old.isEmpty {
                return Finding(.migrationGuestTPM, hosts: old, .fail, "\(guest) has a vTPM, and QEMU before 3.0 on \(old.joined(separator: ", ")) cannot carry its state in a migration",
                               fix: "upgrade QEMU on \(old.joined(separator: ", "))")
            }
            return Finding(.migrationGuestTPM, hosts: [host], .pass,
                           "\(guest): its vTPM state (\(tpm.statePath ?? "libvirt's swtpm directory")) is local and moves in the migration stream; it stays behind if the guest is started elsewhere after a crash")
        }
        let releases = hosts.map { (host: $0.0, version: $0.1.libvirtVersion) }
        let old = releases.filter { ($0.version.value ?? sharedStateSince) < sharedStateSince }.map(\.host)
        if !old.isEmpty {
            return Finding(.migrationGuestTPM, hosts: old, .fail,
                           "\(guest) keeps its vTPM state on shared storage (\(state)), and libvirt before 8.10 on \(old.joined(separator: ", ")) starts a second swtpm on the same files: the migration fails on swtpm's lock",
                           fix: "upgrade libvirt (≥ 8.10) and swtpm (≥ 0.8) on \(old.joined(separator: ", ")), or keep the TPM state off shared storage (remove <source> from <tpm><backend>)")
        }
        let unknown = releases.filter { $0.version.value == nil }.map(\.host)
        if !unknown.isEmpty {
            return Finding(.migrationGuestTPM, hosts: unknown, .warn,
                           "\(guest) keeps its vTPM state on shared storage (\(state)), which needs libvirt ≥ 8.10 and swtpm ≥ 0.8 on every hypervisor; the libvirt release of \(unknown.joined(separator: ", ")) is unknown",
                           fix: "check `libvirtd --version` and `swtpm --version` on \(unknown.joined(separator: ", "))")
        }
        return Finding(.migrationGuestTPM, hosts: [host], .pass,
                       "\(guest): its vTPM state is on shared storage (\(state)) and every hypervisor runs libvirt ≥ 8.10, which hands swtpm's lock over (swtpm ≥ 0.8 needed too)")
    }
}
