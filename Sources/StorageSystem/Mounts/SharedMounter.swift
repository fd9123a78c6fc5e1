import StorageFacts
import StorageModel
import StorageRender

/// Puts the shared storage at the same path on a hypervisor: mount point, the .mount unit and
/// fstab block (through the apply engine), the mount itself, then `findmnt --json` to check
/// source and type. Never mounts over a directory that holds files.
public struct SharedMounter: Sendable {
    public let spec: ClusterSpec
    public let context: HostContext

    public init(spec: ClusterSpec, context: HostContext) {
        self.spec = spec
        self.context = context
    }

    var files: HostFiles { context.files }

    public typealias Step = HostStep

    /// What findmnt should show for a mount.
    static func matches(_ mounted: MountFacts, _ mount: SharedMount) -> Bool {
        switch mount.source {
        case .nfs:
            return mounted.source == mount.what && (mounted.fstype == "nfs" || mounted.fstype == "nfs4")
        case .bind:
            // A bind shows the device with the directory in brackets: /dev/vda[/srv/vmstore].
            return mounted.source.hasSuffix("[\(mount.what)]") || mounted.source == mount.what
        case .device(_, let filesystem):
            return mounted.fstype == filesystem.rawValue
        }
    }

    /// What `findmnt --json --mountpoint` printed: the mount there, nil when it is not a mount
    /// point; output it cannot read stops the run, saying so.
    static func mounted(_ output: String, steps: [Step]) throws -> MountFacts? {
        do { return try FindmntParser.parse(output).first } catch { throw SystemError.stopped(steps: steps, reason: error.description) }
    }

    /// Before anything is written: every mount point is free (empty or absent) or already right.
    public func preflight() async throws {
        for mount in spec.sharedMounts(of: context.host) {
            let found = try await files.run(["findmnt", "--json", "--mountpoint", mount.mountPoint], "looking at \(mount.mountPoint)", allowFailure: true)
            if let mounted = try Self.mounted(found.stdout, steps: []) {
                if Self.matches(mounted, mount) { continue }
                throw SystemError.stopped(steps: [], reason: "\(mount.mountPoint) is already a mount of \(mounted.source) (\(mounted.fstype)), not \(mount.what): unmount it first")
            }
            let listing = try await files.run(["ls", "-A", "--", mount.mountPoint], "listing \(mount.mountPoint)", allowFailure: true)
            if listing.succeeded && !listing.stdout.isEmpty {
                throw SystemError.stopped(steps: [], reason: "\(mount.mountPoint) is not empty and not mounted: storagekit will not hide its files under a mount; move them away first")
            }
        }
    }

    public func mountAll(dryRun: Bool) async throws -> [Step] {
        var steps: [Step] = []
        for mount in spec.sharedMounts(of: context.host) {
            let found = try await files.run(["findmnt", "--json", "--mountpoint", mount.mountPoint], "looking at \(mount.mountPoint)", allowFailure: true)
            if let mounted = try Self.mounted(found.stdout, steps: steps) {
                guard Self.matches(mounted, mount) else {
                    throw SystemError.stopped(steps: steps, reason: "\(mount.mountPoint) is already a mount of \(mounted.source) (\(mounted.fstype)), not \(mount.what): unmount it first")
                }
                steps.append(Step(ok: true, text: "\(mount.mountPoint): \(mounted.source) (\(mounted.fstype)) already mounted"))
                continue
            }
            let listing = try await files.run(["ls", "-A", "--", mount.mountPoint], "listing \(mount.mountPoint)", allowFailure: true)
            if listing.succeeded && !listing.stdout.isEmpty {
                throw SystemError.stopped(steps: steps, reason: "\(mount.mountPoint) is not empty and not mounted: storagekit will not hide its files under a mount; move them away first")
            }
            if dryRun {
                steps.append(Step(ok: true, text: "would mount \(mount.what) on \(mount.mountPoint) (\(mount.type), \(mount.options.joined(separator: ",")))"))
                continue
            }
            try await files.makeDirectory(mount.mountPoint, mode: 0o755)
            let unit = SystemdEscape.mountUnitName(for: mount.mountPoint)
            let systemd = try await files.run(["test", "-d", "/run/systemd/system"], "looking for systemd", allowFailure: true).succeeded
            let attempt = systemd
                ? try await startUnit(unit)
                : try await files.run(Command("mount", [mount.mountPoint], timeout: .seconds(120)), "mounting \(mount.mountPoint)", allowFailure: true)
            guard attempt.succeeded else {
                let said = (attempt.stderr + attempt.stdout).split(separator: "\n").last.map(String.init) ?? ""
                var hint = systemd ? " (see `journalctl -u \(unit)`)" : ""
                if said.contains("No such device") || said.contains("unknown filesystem type") {
                    hint += " — this kernel has no \(mount.type) client (modprobe \(mount.type == "nfs" ? "nfs" : mount.type))"
                }
                throw SystemError.stopped(steps: steps, reason: "mounting \(mount.what) on \(mount.mountPoint) failed: \(said.trimmingCharacters(in: " \t"))\(hint)")
            }
            let check = try await files.run(["findmnt", "--json", "--mountpoint", mount.mountPoint], "checking \(mount.mountPoint)", allowFailure: true)
            guard let mounted = try Self.mounted(check.stdout, steps: steps), Self.matches(mounted, mount) else {
                throw SystemError.stopped(steps: steps, reason: "\(mount.mountPoint) is not a mount of \(mount.what) after mounting (findmnt: \(check.stdout.isEmpty ? "not a mount point" : check.stdout))")
            }
            steps.append(Step(ok: true, text: "mounted \(mounted.source) on \(mount.mountPoint) (\(mounted.fstype))"))
        }
        return steps
    }

    private func startUnit(_ unit: String) async throws -> CommandResult {
        try await files.run(["systemctl", "daemon-reload"], "reloading systemd")
        return try await files.run(Command("systemctl", ["start", unit], timeout: .seconds(120)), "starting \(unit)", allowFailure: true)
    }
}
