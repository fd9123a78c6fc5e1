import Foundation
import StorageModel

#if canImport(Glibc)
import Glibc
#endif

/// Brings a lab up and down on this machine, like kind does for Kubernetes: every command goes
/// through the runner, every creation is recorded in the state file before the next step.
public struct LabController: Sendable {
    public let layout: LabLayout
    /// Needed to boot a kernel lab's guests (mount path, NFS server).
    public let spec: ClusterSpec?
    public let runner: any CommandRunner

    public init(layout: LabLayout, spec: ClusterSpec? = nil, runner: any CommandRunner = SubprocessRunner()) {
        self.layout = layout
        self.spec = spec
        self.runner = runner
    }

    /// What `up` did, for the report.
    public struct Report: Sendable, Codable {
        public var created: [String] = []
        public var existing: [String] = []
    }

    public func up() async throws(SystemError) -> Report {
        try requireRoot()
        var report = Report()
        var state = (try? LabState.load(layout.stateFile)) ?? nil ?? LabState(cluster: layout.cluster)
        if !state.namespaces.isEmpty && (state.kernel ?? false) != layout.kernel {
            throw .labStep("bringing up a \(layout.kernel ? "kernel" : "namespace-only") lab", reason: "a \(layout.kernel ? "namespace-only" : "kernel") lab of cluster \(layout.cluster) is up: take it down first (storagekit lab down --spec …)")
        }
        // Refused before anything is made: a spec path no lab host can be given.
        let own = try ownDirectories(recorded: state)
        let launcher = spec.map { GuestLauncher(layout: layout, spec: $0, runner: runner) }
        if layout.kernel {
            guard let launcher else { throw .labStep("bringing up the kernel lab", reason: "no spec given") }
            try launcher.requireTools()
            _ = try launcher.kernel()
        }
        state.kernel = layout.kernel
        state.networks = layout.bridges.map(\.network)
        try await makePrivateRunDirectory()
        try save(state)
        try makeMountPoints(own, state: &state, report: &report)

        for bridge in layout.bridges {
            if try await succeeds(["ip", "link", "show", bridge.name]) {
                guard state.bridges.contains(bridge.name) else { throw .notCreatedByUs("bridge \(bridge.name)") }
                report.existing.append("bridge \(bridge.name) (\(bridge.network))")
                continue
            }
            state.bridges.append(bridge.name)
            try save(state)
            try await must(["ip", "link", "add", bridge.name, "type", "bridge"], "creating bridge \(bridge.name)")
            try await must(["ip", "link", "set", bridge.name, "up"], "bringing up bridge \(bridge.name)")
            report.created.append("bridge \(bridge.name) (\(bridge.network))")
        }

        try await makeRoomForNeighbours(&report)

        if let control = layout.control {
            try await makeNamespace(control.namespace, nics: control.nics, named: "control", state: &state, report: &report)
        }
        for host in layout.namespaceHosts {
            if FileManager.default.fileExists(atPath: "/run/netns/\(host.namespace)") {
                guard state.namespaces.contains(host.namespace) else { throw .notCreatedByUs("network namespace \(host.namespace)") }
                report.existing.append("host \(host.name)")
            } else {
                state.namespaces.append(host.namespace)
                try save(state)
                try await must(["ip", "netns", "add", host.namespace], "creating namespace \(host.namespace)")
                report.created.append("host \(host.name) (namespace \(host.namespace))")
            }
            try await must(["ip", "-n", host.namespace, "link", "set", "lo", "up"], "bringing up lo on \(host.name)")
            for nic in host.nics {
                if try await !succeeds(["ip", "-n", host.namespace, "link", "show", nic.name]) {
                    try await must(["ip", "link", "add", nic.rootName, "type", "veth", "peer", "name", nic.name, "netns", host.namespace],
                        "creating \(host.name)'s \(nic.name)")
                    try await must(["ip", "link", "set", nic.rootName, "master", nic.bridge, "up"], "attaching \(host.name)'s \(nic.name)")
                    report.created.append("\(host.name) \(nic.name) \(nic.address)/\(nic.prefix)")
                }
                try await must(["ip", "-n", host.namespace, "addr", "replace", "\(nic.address)/\(nic.prefix)", "dev", nic.name],
                    "addressing \(host.name)'s \(nic.name)")
                try await must(["ip", "-n", host.namespace, "link", "set", nic.name, "up"], "bringing up \(host.name)'s \(nic.name)")
            }
            if try await !isMounted(host.utsNamespaceFile) {
                FileManager.default.createFile(atPath: host.utsNamespaceFile, contents: nil)
                state.mountNamespaceFiles.append(host.utsNamespaceFile)
                try save(state)
                try await must(["unshare", "--uts=\(host.utsNamespaceFile)", "hostname", host.name], "giving \(host.name) its own host name")
            }
            if try await isMounted(host.mountNamespaceFile) { continue }
            FileManager.default.createFile(atPath: host.mountNamespaceFile, contents: nil)
            state.mountNamespaceFiles.append(host.mountNamespaceFile)
            try save(state)
            try await must(["unshare", "--mount=\(host.mountNamespaceFile)", "--propagation", "private", "true"],
                "creating \(host.name)'s mount namespace")
            let fixed = (LabLayout.privateDirectories + LabLayout.programDirectories).map { LabOwnDirectory(path: $0, kind: .overlay, fields: []) }
                + LabLayout.dataDirectories.map { LabOwnDirectory(path: $0, kind: .empty, fields: []) }
            for directory in fixed {
                try await giveOwn(directory, to: host, layers: host.dataDirectory)
            }
            for directory in own[host.name] ?? [] {
                try await giveOwn(directory, to: host, layers: "\(host.dataDirectory)/own")
                report.created.append(Self.describe(directory, host: host))
            }
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"],
                "giving \(host.name) its own /run")
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "tee", "-a", "/etc/hosts"], "naming the lab's hosts in \(host.name)'s /etc/hosts",
                           stdin: "\n" + layout.hostsFileLines.joined(separator: "\n") + "\n")
            // What systemd-tmpfiles makes on a real host; iscsiadm locks its records in /run/lock/iscsi.
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mkdir", "-p", "/run/lock"], "creating \(host.name)'s /run/lock")
            if try await !succeeds(["nsenter", "--mount=\(host.mountNamespaceFile)", "getent", "group", "kvm"]) {
                try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "groupadd", "--system", "kvm"], "creating group kvm on \(host.name)")
            }
            if try await !succeeds(["nsenter", "--mount=\(host.mountNamespaceFile)", "getent", "passwd", LabLayout.qemuAccount.name]) {
                try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "useradd"] + LabLayout.qemuAccount.useradd, "creating qemu's account on \(host.name)")
            }
        }
        if let launcher, layout.kernel {
            try await bootGuests(launcher, own: own, state: &state, report: &report)
        }
        return report
    }

    private func makeNamespace(_ namespace: String, nics: [LabLayout.NIC], named name: String, state: inout LabState, report: inout Report) async throws(SystemError) {
        if FileManager.default.fileExists(atPath: "/run/netns/\(namespace)") {
            guard state.namespaces.contains(namespace) else { throw .notCreatedByUs("network namespace \(namespace)") }
            report.existing.append("\(name) (namespace \(namespace))")
        } else {
            state.namespaces.append(namespace)
            try save(state)
            try await must(["ip", "netns", "add", namespace], "creating namespace \(namespace)")
            report.created.append("\(name) (namespace \(namespace))")
        }
        try await must(["ip", "-n", namespace, "link", "set", "lo", "up"], "bringing up lo in \(namespace)")
        for nic in nics {
            if try await !succeeds(["ip", "-n", namespace, "link", "show", nic.name]) {
                try await must(["ip", "link", "add", nic.rootName, "type", "veth", "peer", "name", nic.name, "netns", namespace], "creating \(name)'s \(nic.name)")
                try await must(["ip", "link", "set", nic.rootName, "master", nic.bridge, "up"], "attaching \(name)'s \(nic.name)")
                report.created.append("\(name) \(nic.name) \(nic.address)/\(nic.prefix)")
            }
            try await must(["ip", "-n", namespace, "addr", "replace", "\(nic.address)/\(nic.prefix)", "dev", nic.name], "addressing \(name)'s \(nic.name)")
            try await must(["ip", "-n", namespace, "link", "set", nic.name, "up"], "bringing up \(name)'s \(nic.name)")
        }
    }

    /// Starts every guest not yet running (all at once: each boots in seconds but TCG is slow),
    /// then waits until each answers over ssh.
    private func bootGuests(_ launcher: GuestLauncher, own: [String: [LabOwnDirectory]], state: inout LabState, report: inout Report) async throws(SystemError) {
        let kernel = try launcher.kernel()
        try await launcher.prepareFiles(kernelVersion: kernel.version)
        var started: [(LabLayout.LabHost, Int32)] = []
        var accel: String?
        for host in layout.guests {
            if let pid = state.guests?[host.name], DetachedProcess.isAlive(pid) {
                report.existing.append("guest \(host.name) (qemu pid \(pid))")
                started.append((host, pid))
                continue
            }
            if accel == nil {
                let chosen = await launcher.accelerator(kernel: kernel.image)
                accel = chosen.accel
                report.created.append("accelerator \(chosen.accel): \(chosen.why)")
            }
            let boot = KernelGuest.Boot(kernel: kernel.image, initramfs: layout.kernelFiles.initramfs, accel: accel ?? "tcg")
            var recorded = state
            let pid = try await launcher.start(host, own: own[host.name] ?? [], boot: boot) { (link: String) throws(SystemError) in
                recorded.links = (recorded.links ?? []) + [link]
                try save(recorded)
            }
            state = recorded
            state.pids.append(pid)
            state.guests = (state.guests ?? [:]).merging([host.name: pid]) { $1 }
            try save(state)
            report.created.append("guest \(host.name) (qemu pid \(pid), \(boot.accel), kernel \(kernel.version); " + host.nics.map { "\($0.name) \($0.address)/\($0.prefix)" }.joined(separator: ", ") + ")")
            report.created += (own[host.name] ?? []).map { Self.describe($0, host: host) }
            started.append((host, pid))
        }
        let limit = Duration.seconds(Int(ProcessInfo.processInfo.environment["STORAGEKIT_LAB_BOOT_SECONDS"] ?? "") ?? 300)
        let failures = await withTaskGroup(of: String?.self) { group in
            for (host, pid) in started {
                group.addTask { await Self.bootFailure(launcher, host, pid, limit) }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if !failures.isEmpty { throw .labStep("booting the kernel lab's guests", reason: failures.sorted().joined(separator: "; ")) }
    }

    private static func bootFailure(_ launcher: GuestLauncher, _ host: LabLayout.LabHost, _ pid: Int32, _ limit: Duration) async -> String? {
        do {
            try await launcher.waitForSSH(host, pid: pid, within: limit)
            return nil
        } catch {
            return error.description
        }
    }

    /// What `up` builds, from the layout alone (for --dry-run).
    public func plannedUp() throws(SystemError) -> [String] {
        let own = try ownDirectories(recorded: (try? LabState.load(layout.stateFile)) ?? nil)
        return layout.bridges.map { "bridge \($0.name) (\($0.network))" }
            + ["neighbour table limit (net.ipv4.neigh.default.gc_thresh3) at least \(2 * layout.neighbourEntries) entries, if lower"]
            + (layout.control.map { ["control namespace \($0.namespace) (" + $0.nics.map(\.address).joined(separator: ", ") + "; ssh to the guests goes from here)"] } ?? [])
            + layout.hosts.flatMap { host in
                [host.isGuest
                    ? "guest \(host.name) (qemu, Debian's kernel, this machine's root read-only over 9p; own /etc, /var, /root, /run, /tmp, /srv, /mnt)"
                    : "host \(host.name) (namespace \(host.namespace); own /etc, /var/lib, /srv, /run)"]
                    + host.nics.map { "\(host.name) \($0.name) \($0.address)/\($0.prefix) on \($0.bridge)" }
                    + (own[host.name] ?? []).map { Self.describe($0, host: host) }
            }
    }

    static func describe(_ directory: LabOwnDirectory, host: LabLayout.LabHost) -> String {
        let how = switch directory.kind {
        case .overlay: "this machine's \(directory.path) with a writable layer of its own"
        case .empty: host.isGuest ? "empty, tmpfs; \(directory.path) made on this machine as its mount point" : "empty; \(directory.path) made on this machine as its mount point"
        }
        return "\(host.name) own \(directory.path) (\(how); for \(directory.fields.joined(separator: ", ")))"
    }

    /// What `down` would remove, from the state file (for --dry-run).
    public func plannedDown() -> [String] {
        guard let state = (try? LabState.load(layout.stateFile)) ?? nil else { return [] }
        return state.pids.filter(DetachedProcess.isAlive).map { "process \($0)" }
            + state.namespaces.map { "namespace \($0) (and every process left in it)" }
            + state.bridges.map { "bridge \($0)" }
    }

    /// Removes what the state file says this lab created, and nothing else. Safe to repeat.
    public func down() async throws(SystemError) -> [String] {
        try requireRoot()
        guard let state = (try? LabState.load(layout.stateFile)) ?? nil else { return [] }
        var removed: [String] = []
        for pid in state.pids where DetachedProcess.isAlive(pid) {
            kill(pid, SIGKILL)
            removed.append("process \(pid)")
        }
        // Anything else still running in a lab host (e.g. a client started with `lab exec`)
        // would keep its namespace, and the NICs in it, alive after `ip netns del`.
        for namespace in state.namespaces where FileManager.default.fileExists(atPath: "/run/netns/\(namespace)") {
            let pids = (try? await runner.run(Command("ip", ["netns", "pids", namespace])))?.stdout.split(separator: "\n").compactMap { Int32($0) } ?? []
            for pid in pids where pid != getpid() {
                kill(pid, SIGKILL)
                removed.append("process \(pid) (in \(namespace))")
            }
        }
        for file in state.mountNamespaceFiles {
            _ = try? await runner.run(Command("umount", ["-l", file]))
            try? FileManager.default.removeItem(atPath: file)
        }
        for namespace in state.namespaces where FileManager.default.fileExists(atPath: "/run/netns/\(namespace)") {
            try await must(["ip", "netns", "del", namespace], "removing namespace \(namespace)")
            removed.append("namespace \(namespace)")
        }
        // The root ends of the veths too: a namespace that something in the kernel still holds
        // after `ip netns del` keeps its pair alive, and the next `up` would find it in the way.
        // Only those of namespaces this lab created; one already gone by now is fine.
        let ours = layout.hosts.filter { !$0.isGuest && state.namespaces.contains($0.namespace) }.flatMap(\.nics).map(\.rootName)
            + (layout.control.map { state.namespaces.contains($0.namespace) ? $0.nics.map(\.rootName) : [] } ?? [])
        for link in (state.links ?? []) + ours where try await succeeds(["ip", "link", "show", link]) {
            if try await succeeds(["ip", "link", "del", link]) { removed.append("link \(link)") }
        }
        let shared = Set(otherLabsMountPoints())
        for directory in (state.mountPoints ?? []).reversed() where !shared.contains(directory) && rmdir(directory) == 0 {
            removed.append("mount point \(directory)")
        }
        for bridge in state.bridges where try await succeeds(["ip", "link", "show", bridge]) {
            try await must(["ip", "link", "del", bridge], "removing bridge \(bridge)")
            removed.append("bridge \(bridge)")
        }
        _ = try? await runner.run(Command("umount", ["-l", layout.runDirectory]))
        try? FileManager.default.removeItem(atPath: layout.runDirectory)
        try? FileManager.default.removeItem(atPath: layout.dataDirectory)
        // The parents too, when no other cluster's lab is in them.
        for parent in [layout.runDirectory, layout.dataDirectory].map({ ($0 as NSString).deletingLastPathComponent }) {
            rmdir(parent)
        }
        return removed
    }

    public struct HostStatus: Sendable, Codable {
        public var host: String
        public var namespace: Bool
        public var mountNamespace: Bool
        public var addresses: [String]
        /// A kernel-lab guest: its qemu runs and sshd answers.
        public var guest: Bool? = nil
        public var up: Bool { guest ?? (namespace && mountNamespace) }
    }

    public func status() async throws(SystemError) -> [HostStatus] {
        var result: [HostStatus] = []
        let state = (try? LabState.load(layout.stateFile)) ?? nil
        for host in layout.hosts {
            if host.isGuest {
                var answers = false
                if let pid = state?.guests?[host.name], DetachedProcess.isAlive(pid) {
                    let argv = layout.execArguments(host: host, ["true"], timeout: .seconds(5))
                    answers = (try? await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(8))))?.succeeded == true
                }
                result.append(HostStatus(host: host.name, namespace: false, mountNamespace: false, addresses: host.nics.map { "\($0.name) \($0.address)/\($0.prefix)" }, guest: answers))
                continue
            }
            let namespace = FileManager.default.fileExists(atPath: "/run/netns/\(host.namespace)")
            var addresses: [String] = []
            if namespace, let shown = try? await runner.run(Command("ip", ["-n", host.namespace, "-4", "-o", "addr", "show"])) {
                addresses = shown.stdout.split(separator: "\n").compactMap { line in
                    let fields = line.split(separator: " ")
                    guard let inet = fields.firstIndex(of: "inet"), inet + 1 < fields.count, fields[1] != "lo" else { return nil }
                    return "\(fields[1]) \(fields[inet + 1])"
                }
            }
            result.append(HostStatus(host: host.name, namespace: namespace, mountNamespace: try await isMounted(host.mountNamespaceFile), addresses: addresses))
        }
        return result
    }

    // MARK: - steps

    /// Each host's own directories for the spec's paths. A mount point this lab made is still
    /// an empty one of its own when `up` runs again.
    private func ownDirectories(recorded: LabState?) throws(SystemError) -> [String: [LabOwnDirectory]] {
        guard let spec else { return [:] }
        let ours = Set((recorded?.mountPoints ?? []) + otherLabsMountPoints())
        let kind = { (path: String) -> PathKind in
            if ours.contains(path) { return .missing }
            // attributesOfItem does not follow a symbolic link: one is never a directory to give.
            guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else { return .missing }
            return type == .typeDirectory ? .directory : .other
        }
        var result: [String: [LabOwnDirectory]] = [:]
        for host in layout.hosts {
            result[host.name] = try layout.ownDirectories(of: host, in: spec, kind: kind)
        }
        return result
    }

    /// Mount points other labs on this machine made and still use.
    private func otherLabsMountPoints() -> [String] {
        LabState.all(runRoot: (layout.runDirectory as NSString).deletingLastPathComponent)
            .filter { $0.cluster != layout.cluster }.flatMap { $0.mountPoints ?? [] }
    }

    /// Empty mount points on this machine for new own directories, recorded before they are made.
    private func makeMountPoints(_ own: [String: [LabOwnDirectory]], state: inout LabState, report: inout Report) throws(SystemError) {
        let shared = Set(otherLabsMountPoints())
        for path in Set(own.values.flatMap { $0.filter(\.isNewMountPoint).map(\.path) }).sorted() {
            let recorded = (state.mountPoints ?? []).contains(path)
            if !recorded {
                state.mountPoints = (state.mountPoints ?? []) + [path]
                try save(state)
            }
            // Made before, by this lab or by another that still uses it (the last one removes it).
            if (recorded || shared.contains(path)) && FileManager.default.fileExists(atPath: path) { continue }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
            } catch {
                throw .labStep("making the mount point \(path) on this machine", reason: error.localizedDescription)
            }
            report.created.append("mount point \(path) (empty; each host that needs it gets its own; removed by `lab down`)")
        }
    }

    /// A namespace host's own directory: an overlay of this machine's (upper and work layers in
    /// `layers`), or a plain empty one from `layers`/data.
    private func giveOwn(_ directory: LabOwnDirectory, to host: LabLayout.LabHost, layers: String) async throws(SystemError) {
        let what = "giving \(host.name) its own \(directory.path)" + (directory.fields.isEmpty ? "" : " (for \(directory.fields.joined(separator: ", ")))")
        switch directory.kind {
        case .overlay:
            let upper = "\(layers)\(directory.path)/upper", work = "\(layers)\(directory.path)/work"
            for path in [upper, work] { try makeDirectory(path) }
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mount", "-t", "overlay", "overlay",
                            "-o", "lowerdir=\(directory.path),upperdir=\(upper),workdir=\(work)", directory.path], what)
        case .empty:
            let source = "\(layers)/data\(directory.path)"
            try makeDirectory(source)
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mount", "--bind", source, directory.path], what)
        }
    }

    /// Raises this machine's neighbour table limits (shared by every namespace) to what the lab
    /// can need, never lowers them. On real hosts each has its own table.
    private func makeRoomForNeighbours(_ report: inout Report) async throws(SystemError) {
        let needed = layout.neighbourEntries
        let base = "/proc/sys/net/ipv4/neigh/default/"
        func read(_ name: String) -> Int? {
            (try? String(contentsOfFile: base + name, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let hard = read("gc_thresh3"), let soft = read("gc_thresh2"), hard < 2 * needed else { return }
        try await must(["sysctl", "-q", "-w", "net.ipv4.neigh.default.gc_thresh2=\(max(soft, needed))", "net.ipv4.neigh.default.gc_thresh3=\(2 * needed)"],
            "raising this machine's neighbour table limit")
        report.created.append("neighbour table limit \(hard) → \(2 * needed) entries (net.ipv4.neigh.default.gc_thresh3: all namespaces share it; left raised)")
    }

    private func requireRoot() throws(SystemError) {
        if geteuid() != 0 { throw .notRoot }
    }

    /// Mount-namespace files can only be bind-mounted inside a private mount.
    private func makePrivateRunDirectory() async throws(SystemError) {
        try makeDirectory(layout.runDirectory)
        if try await isMounted(layout.runDirectory) { return }
        try await must(["mount", "--bind", layout.runDirectory, layout.runDirectory], "binding \(layout.runDirectory)")
        try await must(["mount", "--make-private", layout.runDirectory], "making \(layout.runDirectory) private")
    }

    private func isMounted(_ path: String) async throws(SystemError) -> Bool {
        try await succeeds(["findmnt", "--noheadings", "--mountpoint", path])
    }

    private func makeDirectory(_ path: String) throws(SystemError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .labStep("creating \(path)", reason: "\(error.localizedDescription)")
        }
    }

    private func save(_ state: LabState) throws(SystemError) {
        do { try state.save(layout.stateFile) } catch { throw .labStep("recording the lab state in \(layout.stateFile)", reason: "\(error)") }
    }

    private func succeeds(_ argv: [String]) async throws(SystemError) -> Bool {
        do {
            return try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30))).succeeded
        } catch {
            throw .labStep(argv.joined(separator: " "), reason: error.description)
        }
    }

    private func must(_ argv: [String], _ what: String, stdin: String? = nil) async throws(SystemError) {
        let result: CommandResult
        do {
            result = try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30), stdin: stdin))
        } catch {
            throw .labStep(what, reason: error.description)
        }
        guard result.succeeded else {
            throw .labStep(what, reason: "`\(result.command)` exited \(result.exitCode.map(String.init) ?? "by a signal"): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
