import StorageFacts
import StorageModel

/// Rehearsals judged in `check`'s words: one `rehearse.migration` finding per rehearsal (the
/// pair, the storage, the failing step, the host at fault, the fix) and `rehearse.cleanup` for
/// anything a rehearsal could not remove.
public enum RehearsalRules {
    public static func findings(_ results: [RehearsalResult], spec: ClusterSpec, specFile: String) -> [Finding] {
        var findings: [Finding] = []
        for result in results {
            let pair = result.pair
            if let reason = result.skipped {
                findings.append(Finding(.rehearseMigration, hosts: [pair.source, pair.destination], .skip, "\(pair): not rehearsed", fix: reason))
            } else if result.passed {
                let took = result.stepsMs[.migrate].map { String(format: " in %.2f s", $0 / 1000) } ?? ""
                let account = result.account.map { ", qemu as \($0)" } ?? ""
                if let directory = result.diskStandIn {
                    findings.append(Finding(.rehearseMigration, hosts: [pair.source, pair.destination], .pass,
                                            "a canary VM migrated \(pair.source) → \(pair.destination)\(took) and resumed there\(account); its disk was in \(directory), which both hosts share on one machine, so this proves qemu, the port and the firewall, not \(pair.storage.path)"))
                } else {
                    findings.append(Finding(.rehearseMigration, hosts: [pair.source, pair.destination], .pass,
                                            "a canary VM on \(pair.storage.path) migrated \(pair.source) → \(pair.destination)\(took) and resumed there\(account)"))
                }
            } else {
                let cause = RehearsalCause(result, spec: spec, specFile: specFile)
                findings.append(Finding(.rehearseMigration, hosts: cause.hosts, .fail,
                                        "\(pair.source) → \(pair.destination) on \(pair.storage.path): \(result.failedStep?.words ?? "failed"): \(cause.message)",
                                        fix: cause.fix))
            }
            for (host, left) in result.leftBehind.sorted(by: { $0.key < $1.key }) where !left.isEmpty {
                findings.append(Finding(.rehearseCleanup, hosts: [host], .fail, "the rehearsal \(pair) left behind: \(left.joined(separator: ", "))",
                                        fix: "on \(host): kill the canary qemu (its command line names /run/storagekit/canary) and rm the storagekit-canary-*.img file; the next rehearse removes them too"))
            }
        }
        return findings
    }
}

/// Why a rehearsal failed, on which host, and what fixes it: qemu's own words read for the
/// failures admins hit (a path missing on the destination, permissions under root_squash,
/// O_DIRECT, an unknown machine type, a filtered or refused migration port, a held disk lock).
public struct RehearsalCause: Sendable, Equatable {
    /// The host at fault; both when the pair cannot tell which of the two it is (their storage
    /// or their accounts differ): the host in every failing pair is the one.
    public var hosts: [String]
    public var message: String
    public var fix: String

    public init(_ result: RehearsalResult, spec: ClusterSpec, specFile: String) {
        let pair = result.pair
        let step = result.failedStep ?? .migrate
        let text = result.error ?? "no reason given"
        let lower = text.lowercased()
        let destination = pair.destination, source = pair.source
        let path = pair.storage.path
        func command(_ words: String) -> String { CheckContext.command(words, specFile: specFile) }
        let storageFix: (String) -> String = { host in
            switch pair.storage {
            case .directory: "\(command("mount --host \(host)")) (then check: path.mount.same and nfs.canary.shared)"
            case .device(_, .multipath): command("multipath setup --host \(host)")
            case .device(_, .drbd): command("setup drbd")
            }
        }
        // A migration that fails is the destination's (its port, its firewall), whichever side saw it.
        let host = step == .migrate ? destination : result.failedOn ?? (step == .start ? source : destination)
        hosts = [host]
        switch step {
        case .connect:
            message = text
            fix = "install the same storagekit on \(host) (it needs `storagekit canary-vm`), and see host.facts in check"
        case .cleanup:
            message = text
            fix = "on \(host): kill the canary qemu (its command line names /run/storagekit/canary) and remove storagekit-canary-*.img under \(path)"
        case .start, .incoming:
            let account = (step == .start ? result.account : nil) ?? "qemu's account"
            if text.contains(UserFacts.qemuAccountMissing) {
                message = text
                fix = "install libvirt on \(host) (its qemu account is libvirt-qemu on Debian, qemu on RHEL)"
            } else if lower.contains("no such file or directory") && pair.storage.isDirectory && step == .incoming {
                hosts = [source, destination]
                message = "\(destination) does not see the image \(source) created: \(text) (\(path) is not the same storage on both)"
                fix = "compare the two: \(command("check --only path")) names the one whose \(path) is not the spec's mount; then \(command("mount --host HOST"))"
            } else if lower.contains("no such file or directory") {
                message = pair.storage.isDirectory ? "\(text) (\(path) there is not the shared storage)" : "\(host) has no \(path): \(text)"
                fix = storageFix(host)
            } else if lower.contains("permission denied") || lower.contains("operation not permitted") || lower.contains("read-only file system") {
                message = "\(text) (qemu runs as \(account))"
                fix = pair.storage.isDirectory
                    ? "\(path) and the images in it must be writable by qemu's account with the same uid:gid on every hypervisor; with root_squash, on \(spec.nfs?.server ?? "the NFS server"): chown that uid:gid on the export (see nfs.image.access)"
                    : "let qemu open \(path) on \(host) (libvirt gives it the device when a guest starts: check its security driver)"
            } else if lower.contains("invalid argument") && pair.storage.isDirectory {
                message = "\(text): the file system at \(path) does not take O_DIRECT, which cache=none needs"
                fix = "put guests on storage that supports O_DIRECT (NFS, a block device, ext4/xfs), or give the guests another cache mode"
            } else if lower.contains("machine type") {
                message = "\(text): \(host)'s qemu does not know the machine type \(source)'s guests are defined with"
                fix = "run the same qemu version on every hypervisor (see migration.os), or define guests with a machine type both know"
            } else if lower.contains("cannot assign requested address") {
                message = "\(text): the spec's address of \(host) is not one of its own"
                fix = "fix hosts[].address of \(host) in \(specFile), or give \(host) that address"
            } else {
                message = text
                fix = step == .start ? "see qemu's error above; check's host.facts and migration.* findings for \(host)" : storageFix(host)
            }
        case .migrate:
            if lower.contains("still `setup`") || lower.contains("timed out") || lower.contains("no route to host") {
                message = "the migration connection to \(result.uri ?? destination) got no answer: \(text)"
                fix = CheckContext.firewallFix(destination, specFile: specFile) + " (see migration.port)"
            } else if lower.contains("connection refused") {
                message = "\(destination) refused the migration connection to \(result.uri ?? "its port"): \(text)"
                fix = "\(command("firewall apply --host \(destination)")) (a REJECT rule answers for a port libvirt uses; see migration.port)"
            } else {
                message = text
                fix = "read qemu's words above; the destination's qemu log (its own stderr) has the other side"
            }
        case .takeOver:
            if lower.contains("permission denied"), let theirs = result.account, let ours = result.destinationAccount, theirs != ours {
                hosts = [source, destination]
                message = "\(text): qemu runs as \(theirs) on \(source) and as \(ours) on \(destination), so the image one creates the other cannot open"
                fix = "give qemu's account one uid:gid on every hypervisor (see migration.qemu.account)"
            } else if lower.contains("lock") {
                message = "\(text): the source still holds the disk"
                fix = "the source's qemu must let the disk go when a migration completes: check that no other process on \(source) holds \(path) (lslocks), and the same qemu version on both"
            } else {
                message = text
                fix = storageFix(host)
            }
        }
    }
}
