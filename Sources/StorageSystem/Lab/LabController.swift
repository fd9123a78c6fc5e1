import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Brings a lab up and down on this machine, like kind does for Kubernetes: every command goes
/// through the runner, every creation is recorded in the state file before the next step.
public struct LabController: Sendable {
    public let layout: LabLayout
    public let runner: any CommandRunner

    public init(layout: LabLayout, runner: any CommandRunner = SubprocessRunner()) {
        self.layout = layout
        self.runner = runner
    }

    /// What `up` did, for the report.
    public struct Report: Sendable, Codable {
        public var created: [String] = []
        public var existing: [String] = []
    }

    public func up() async throws(LabError) -> Report {
        try requireRoot()
        var report = Report()
        var state = (try? LabState.load(layout.stateFile)) ?? nil ?? LabState(cluster: layout.cluster)
        try await makePrivateRunDirectory()
        try save(state)

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

        for host in layout.hosts {
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
            if try await isMounted(host.mountNamespaceFile) { continue }
            FileManager.default.createFile(atPath: host.mountNamespaceFile, contents: nil)
            state.mountNamespaceFiles.append(host.mountNamespaceFile)
            try save(state)
            try await must(["unshare", "--mount=\(host.mountNamespaceFile)", "--propagation", "private", "true"],
                "creating \(host.name)'s mount namespace")
            for directory in LabLayout.privateDirectories {
                let upper = "\(host.dataDirectory)\(directory)/upper", work = "\(host.dataDirectory)\(directory)/work"
                for path in [upper, work] { try makeDirectory(path) }
                try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mount", "-t", "overlay", "overlay",
                                "-o", "lowerdir=\(directory),upperdir=\(upper),workdir=\(work)", directory],
                    "giving \(host.name) its own \(directory)")
            }
            for directory in LabLayout.dataDirectories {
                let source = "\(host.dataDirectory)/data\(directory)"
                try makeDirectory(source)
                try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mount", "--bind", source, directory],
                    "giving \(host.name) its own \(directory)")
            }
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"],
                "giving \(host.name) its own /run")
            // What systemd-tmpfiles makes on a real host; iscsiadm locks its records in /run/lock/iscsi.
            try await must(["nsenter", "--mount=\(host.mountNamespaceFile)", "mkdir", "-p", "/run/lock"], "creating \(host.name)'s /run/lock")
        }
        return report
    }

    /// What `up` builds, from the layout alone (for --dry-run).
    public func plannedUp() -> [String] {
        layout.bridges.map { "bridge \($0.name) (\($0.network))" }
            + layout.hosts.flatMap { host in
                ["host \(host.name) (namespace \(host.namespace); own /etc, /var/lib, /srv, /run)"]
                    + host.nics.map { "\(host.name) \($0.name) \($0.address)/\($0.prefix) on \($0.bridge)" }
            }
    }

    /// What `down` would remove, from the state file (for --dry-run).
    public func plannedDown() -> [String] {
        guard let state = (try? LabState.load(layout.stateFile)) ?? nil else { return [] }
        return state.pids.filter(DetachedProcess.isAlive).map { "process \($0)" }
            + state.namespaces.map { "namespace \($0) (and every process left in it)" }
            + state.bridges.map { "bridge \($0)" }
    }

    /// Removes what the state file says this lab created, and nothing else. Safe to repeat.
    public func down() async throws(LabError) -> [String] {
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
    }

    public func status() async throws(LabError) -> [HostStatus] {
        var result: [HostStatus] = []
        for host in layout.hosts {
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

    private func requireRoot() throws(LabError) {
        if geteuid() != 0 { throw .notRoot }
    }

    /// Mount-namespace files can only be bind-mounted inside a private mount.
    private func makePrivateRunDirectory() async throws(LabError) {
        try makeDirectory(layout.runDirectory)
        if try await isMounted(layout.runDirectory) { return }
        try await must(["mount", "--bind", layout.runDirectory, layout.runDirectory], "binding \(layout.runDirectory)")
        try await must(["mount", "--make-private", layout.runDirectory], "making \(layout.runDirectory) private")
    }

    private func isMounted(_ path: String) async throws(LabError) -> Bool {
        try await succeeds(["findmnt", "--noheadings", "--mountpoint", path])
    }

    private func makeDirectory(_ path: String) throws(LabError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .step("creating \(path)", reason: "\(error.localizedDescription)")
        }
    }

    private func save(_ state: LabState) throws(LabError) {
        do { try state.save(layout.stateFile) } catch { throw .step("recording the lab state in \(layout.stateFile)", reason: "\(error)") }
    }

    private func succeeds(_ argv: [String]) async throws(LabError) -> Bool {
        do {
            return try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30))).succeeded
        } catch {
            throw .step(argv.joined(separator: " "), reason: error.description)
        }
    }

    private func must(_ argv: [String], _ what: String) async throws(LabError) {
        let result: CommandResult
        do {
            result = try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30)))
        } catch {
            throw .step(what, reason: error.description)
        }
        guard result.succeeded else {
            throw .step(what, reason: "`\(result.command)` exited \(result.exitCode.map(String.init) ?? "by a signal"): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
