import StorageFacts
import StorageModel

/// `migration.ssh`: root on each hypervisor logs in to the peers it probed over ssh without a
/// prompt, as `virsh migrate … qemu+ssh://PEER/system` and `xl migrate` need when nobody is at
/// a terminal. A fail when the spec says migrations go over ssh (`transport: ssh`, Xen's xl), a
/// warning when it does not say, nothing when they go over TLS, TCP or xend's relocation port.
enum SSHTrustRule {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        let need = context.spec.migration.sshTrust
        guard need != .unused else { return [] }
        var findings: [Finding] = []
        for (host, facts) in context.sharing where !facts.ssh.isEmpty {
            let failing = facts.ssh.filter { $0.outcome != .trusted }
            if failing.isEmpty {
                findings.append(Finding(.migrationSSH, hosts: [host.name], .pass,
                                        "root logs in to \(context.allPairs ? "every other hypervisor" : "its ring neighbours") over ssh without a prompt"))
                continue
            }
            let byOutcome = Dictionary(grouping: failing, by: \.outcome).sorted { $0.key.rawValue < $1.key.rawValue }
            let detail = byOutcome.map { _, trusts in "\(trusts.map(\.peer).joined(separator: ", ")): \(describe(trusts[0]))" }.joined(separator: "; ")
            let fixes = byOutcome.map { outcome, trusts in fix(outcome, from: host.name, to: trusts.map(\.peer)) }
            // An ssh that did not finish in time proves nothing either way (a loaded host, an sshd
            // slow to answer): never a failure on its own.
            let status: Finding.Status = need == .required && failing.contains(where: { $0.outcome != .timeout }) ? .fail : .warn
            let why = need == .required
                ? "root on \(host.name) cannot log in over ssh without a prompt, and the spec migrates over ssh (\(transportName(context.spec))): \(detail)"
                : "root on \(host.name) cannot log in over ssh without a prompt (\(detail)): a migration over qemu+ssh:// from here stops there; the spec does not say how guests migrate"
            findings.append(Finding(.migrationSSH, hosts: [host.name], status, why,
                                    fix: fixes.joined(separator: "; ") + (need == .required ? "" : " (or, if guests migrate over TLS or TCP, say so: `migration: {transport: tls}`)")))
        }
        return findings
    }

    static func transportName(_ spec: ClusterSpec) -> String {
        spec.migration.hypervisor == .xen ? "xl migrate" : "migration.transport: ssh"
    }

    static func describe(_ trust: SSHTrustFacts) -> String {
        let what: String = switch trust.outcome {
        case .trusted: "logs in"
        case .noSSHD: "nothing listens on the ssh port"
        case .unreachable: "the ssh port does not answer"
        case .unresolved: "the name does not resolve here"
        case .hostKeyUnknown: "the host key is not in root's known_hosts"
        case .hostKeyChanged: "the host key differs from the one in root's known_hosts"
        case .keyRefused: "root's key is refused"
        case .timeout: "ssh did not finish in time, so this is not proved"
        case .noClient: "ssh is not installed here"
        case .failed: "ssh failed"
        }
        // ssh's own words where they add to ours: which methods were refused, what failed.
        let telling: Set<SSHOutcome> = [.keyRefused, .timeout, .failed]
        return trust.said.isEmpty || !telling.contains(trust.outcome) ? what : "\(what) (\(trust.said))"
    }

    static func fix(_ outcome: SSHOutcome, from source: String, to peers: [String]) -> String {
        let names = peers.joined(separator: ", "), first = peers.first ?? "PEER"
        return switch outcome {
        case .trusted: ""
        case .noSSHD: "start sshd on \(names) (systemctl enable --now ssh, or sshd on RHEL)"
        case .unreachable: "let \(source) reach port 22 of \(names): a route, or a firewall rule (storagekit does not manage ssh's port)"
        case .unresolved: "make \(names) resolve on \(source) (DNS or /etc/hosts): libvirt and xl connect by that name"
        case .hostKeyUnknown: "on \(source): ssh root@\(first) once and accept its key only after comparing it with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on \(first)"
        case .hostKeyChanged: "if \(names) was reinstalled: on \(source), ssh-keygen -R \(first), then accept its new key after comparing fingerprints; if not, find out who answers for it"
        case .keyRefused: "on \(source): ssh-keygen -t ed25519 (if root has no key), then ssh-copy-id root@\(first)\(peers.count > 1 ? " (and each of \(names))" : "")"
        case .timeout: "on \(source): ssh -v root@\(first) true, to see where it hangs (sshd's UseDNS, MaxStartups, a half-open firewall)"
        case .noClient: "install openssh-client on \(source)"
        case .failed: "on \(source): ssh -o BatchMode=yes root@\(first) true, and read what it says"
        }
    }
}
