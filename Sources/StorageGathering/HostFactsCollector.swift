import Foundation
#if canImport(Glibc)
import Glibc
#endif
import StorageCheck
import StorageFacts
import StorageModel
import StorageProbe
import StorageRender
import StorageSystem

/// Gathers one host's facts, on that host: libiscsi and libnfs probes of what the spec says it
/// should use, TCP connects to the pinned ports and the other hypervisors' migration ports,
/// and what its kernel and system say. Everything runs at once under one probe deadline, so
/// the answer comes in about that time even when every port is dropped.
public struct HostFactsCollector: Sendable {
    public let spec: ClusterSpec
    public let host: StorageModel.Host
    public let secrets: [String: String]
    public let probeTimeout: Duration
    public let runner: any CommandRunner
    public let version: String
    /// Prefix for /proc, /etc and /sys (tests point it at fixtures).
    public let root: String
    /// Why this host's kernel facts and guests are not its own (a network namespace shares the
    /// kernel of the machine it runs on); nil when they are: they are then unknown with it.
    public let kernelNotOwn: String?
    /// Where the output of the version and machine-type commands is kept between checks; nil:
    /// they run every time.
    public let toolCache: ToolOutputCache?

    public init(
        spec: ClusterSpec, host: StorageModel.Host, secrets: [String: String], probeTimeout: Duration, version: String,
        runner: any CommandRunner = SubprocessRunner(), root: String = "", kernelNotOwn: String?? = nil, toolCache: ToolOutputCache? = nil
    ) {
        self.toolCache = toolCache
        self.kernelNotOwn = kernelNotOwn ?? (host.transport == .lab ? Self.namespaceReason : nil)
        self.spec = spec
        self.host = host
        self.secrets = secrets
        self.probeTimeout = probeTimeout
        self.version = version
        self.runner = runner
        self.root = root
    }

    /// Where a host is a network namespace of this machine (a namespace lab host).
    public static let namespaceReason = "lab host: a network namespace has no kernel of its own (no iSCSI initiator, device-mapper, NFS client or DRBD devices)"

    /// - Parameters:
    ///   - migrationPeers: the hypervisors whose migration ports to connect to (`check` sends
    ///     its `PeerPlan`); nil: every other hypervisor.
    ///   - migrationSweeps: of those, the ones whose whole qemu migration range to sweep; the
    ///     others get its first and last port. nil: all of them.
    ///   - areas: what to gather (`check --only`); empty: everything. iSCSI and NFS bring the
    ///     paths and mounts with them, as their rules do.
    public func gather(writeCanary: Bool, migrationPeers: [String]? = nil, migrationSweeps: [String]? = nil, areas: Set<CheckArea> = []) async -> HostFacts {
        let clock = ContinuousClock()
        let started = clock.now
        let wanted = CheckArea.gathered(for: areas)
        let skipped = "not gathered: check --only \(areas.map(\.rawValue).sorted().joined(separator: ", "))"
        async let iscsi = wanted.contains(.iscsi) ? iscsiFacts() : []
        async let nfs = wanted.contains(.nfs) ? nfsFacts(writeCanary: writeCanary) : nil
        async let migration = wanted.contains(.migration) ? migrationPorts(peers: migrationPeers, sweeping: migrationSweeps) : []
        async let ssh = wanted.contains(.migration) ? sshTrust(peers: migrationPeers) : []
        async let kernel = kernelFacts(wanted: wanted, skipped: skipped)
        async let system = !wanted.isDisjoint(with: [.migration, .nfs]) ? systemFacts() : SystemFacts(notGathered: skipped)
        async let domains = wanted.contains(.migration) ? domainFacts() : .unknown(skipped)
        async let drbd = wanted.contains(.drbd) ? drbdFacts() : .unknown(skipped)
        var facts = HostFacts(
            host: host.name, version: version, iscsi: await iscsi, nfs: await nfs, paths: wanted.contains(.path) ? pathFacts() : [],
            kernel: await kernel, system: await system, migrationPorts: await migration, ssh: await ssh, domains: await domains, drbd: await drbd)
        let elapsed = clock.now - started
        facts.durationMs = elapsed.milliseconds
        facts.build = BuildInfo.runningBuildID
        return facts
    }

    // MARK: iSCSI

    func iscsiFacts() async -> [PortalFacts] {
        let initiator = spec.initiatorName(of: host)
        let pairs = spec.targets(reachableBy: host).flatMap { target in spec.portals(of: target).map { (target, $0) } }
        return await withTaskGroup(of: (Int, PortalFacts).self) { group in
            for (index, (target, portal)) in pairs.enumerated() {
                group.addTask {
                    async let discovered = try? ISCSIProber.discover(portal: portal.description, initiatorName: initiator, timeout: probeTimeout)
                    let request = ISCSIProbeRequest(
                        portal: portal.description, target: target.iqn, initiatorName: initiator, chapUser: target.chap?.username,
                        chapSecret: target.chap.map { secrets[$0.secretFile] ?? "" }, timeout: probeTimeout)
                    var facts = await Self.portalFacts(request)
                    facts.discovered = facts.tcp == .open ? await discovered : nil
                    return (index, facts)
                }
            }
            var results: [(Int, PortalFacts)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    static func portalFacts(_ request: ISCSIProbeRequest) async -> PortalFacts {
        var facts = PortalFacts(target: request.target ?? "", portal: request.portal, tcp: .open)
        let result: ISCSIProbeResult
        do {
            result = try await ISCSIProber.probe(request)
        } catch {
            (facts.tcp, facts.error) = classify(error)
            return facts
        }
        facts.luns = result.targets.first?.luns ?? []
        return facts
    }

    static func mountFacts(_ request: NFSExportRequest) async -> ExportMountFacts {
        let result: NFSExportResult
        do {
            result = try await NFSProber.export(request)
        } catch {
            return ExportMountFacts(export: request.export, error: error.failure)
        }
        var facts = ExportMountFacts(export: request.export, rootUID: result.rootUID, rootGID: result.rootGID, rootMode: result.rootMode)
        if let canary = request.write, let wrote = result.wrote {
            if let error = wrote.error { facts.canaryError = error } else { facts.canary = CanaryFile(path: canary.path, content: canary.content) }
        }
        return facts
    }

    static func outcome<T: Sendable>(_ body: () async throws(ProbeError) -> T) async -> Result<T, ProbeError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// A probe error as the TCP outcome it implies and the failure to report.
    static func classify(_ error: ProbeError) -> (Reach, ProbeFailure?) {
        (error.reach, error.failure)
    }

    // MARK: NFS

    /// qemu's account here, looked up only when one of `exports` squashes root (nil otherwise).
    func canaryAccount(for exports: [NFSExport]) async -> UserFacts? {
        exports.contains(where: \.squashesRoot) ? await QemuAccount.lookup(runner) : nil
    }

    /// Who writes, reads and removes canaries on `export`: root, unless the export squashes root;
    /// then qemu's account, as qemu writes the images there (root would be nobody).
    static func canaryIdentity(_ export: NFSExport, account: UserFacts?) -> NFSIdentity? {
        guard export.squashesRoot, let account else { return nil }
        return NFSIdentity(uid: account.uid, gid: account.gid)
    }

    func nfsFacts(writeCanary: Bool) async -> NFSFacts? {
        guard let nfs = spec.nfs, nfs.server != host.name, let server = spec.nfsServerAddress else { return nil }
        let exports = nfs.exports.filter { $0.admits(host) }
        guard !exports.isEmpty else { return nil }
        let account = await canaryAccount(for: exports)
        let pinned = nfs.pinnedDaemons.map { ($0.service, $0.port) }
        let timeout = probeTimeout

        async let programs = Self.outcome { () async throws(ProbeError) in try await NFSProber.rpcPrograms(server: server, timeout: timeout) }
        async let listed = Self.outcome { () async throws(ProbeError) in try await NFSProber.exportList(server: server, timeout: timeout) }
        async let ports: [PortFacts] = withTaskGroup(of: PortFacts.self) { group in
            for (service, port) in pinned {
                group.addTask { PortFacts(address: server, port: port, service: service, peer: nfs.server, reach: await TCPProbe.reach(server, port: port, timeout: timeout)) }
            }
            var result: [PortFacts] = []
            for await port in group { result.append(port) }
            return result.sorted { $0.port < $1.port }
        }
        async let mounts: [ExportMountFacts] = withTaskGroup(of: (Int, ExportMountFacts).self) { group in
            for (index, export) in exports.enumerated() {
                let canary = writeCanary
                    ? (path: "/.storagekit-check-\(host.name)-\(UUID().uuidString.prefix(8).lowercased())", content: "storagekit check canary from \(host.name) \(UUID().uuidString)\n")
                    : nil
                let request = NFSExportRequest(server: server, export: export.path, write: canary, timeout: timeout, identity: Self.canaryIdentity(export, account: account))
                group.addTask { (index, await Self.mountFacts(request)) }
            }
            var result: [(Int, ExportMountFacts)] = []
            for await mount in group { result.append(mount) }
            return result.sorted { $0.0 < $1.0 }.map(\.1)
        }

        var facts = NFSFacts(server: server, rpcbind: .open, ports: await ports, mounts: await mounts)
        switch await programs {
        case .success(let rpc):
            facts.rpc = rpc
        case .failure(let error):
            let (reach, failure) = Self.classify(error)
            facts.rpcbind = reach
            facts.error = failure
        }
        switch await listed {
        case .success(let exports): facts.exports = exports
        case .failure(let error): facts.exportListError = error.failure
        }
        return facts
    }

    /// Reads `read`, then removes `remove`, one mount per export; an answer per file and action.
    public func canaries(read: [CanaryRef], remove: [CanaryRef]) async -> [CanaryAnswer] {
        guard let server = spec.nfsServerAddress else {
            return read.map { CanaryAnswer(export: $0.export, path: $0.path, error: "the spec has no NFS server") }
                + remove.map { CanaryAnswer(export: $0.export, path: $0.path, error: "the spec has no NFS server", removal: true) }
        }
        let exports = Set((read + remove).map(\.export)).sorted()
        let specExports = exports.compactMap { path in spec.nfs?.exports.first { $0.path == path } }
        let account = await canaryAccount(for: specExports)
        var answers: [CanaryAnswer] = []
        for export in exports {
            let reads = read.filter { $0.export == export }.map(\.path), removals = remove.filter { $0.export == export }.map(\.path)
            let identity = specExports.first { $0.path == export }.flatMap { Self.canaryIdentity($0, account: account) }
            do throws(ProbeError) {
                let result = try await NFSProber.export(NFSExportRequest(server: server, export: export, read: reads, remove: removals, timeout: probeTimeout, identity: identity))
                answers += result.reads.map { CanaryAnswer(export: export, path: $0.path, content: $0.content, error: $0.error) }
                answers += result.removals.map { CanaryAnswer(export: export, path: $0.path, error: $0.error, removal: true) }
            } catch {
                answers += reads.map { CanaryAnswer(export: export, path: $0, error: error.description) }
                answers += removals.map { CanaryAnswer(export: export, path: $0, error: error.description, removal: true) }
            }
        }
        return answers
    }

    // MARK: Paths, kernel, system

    func pathFacts() -> [PathFacts] {
        let paths = Set(spec.sharedMounts(of: host).map(\.mountPoint) + [spec.mountPath]).sorted()
        return paths.map { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root + path, isDirectory: &isDirectory)
            return PathFacts(path: path, exists: exists, isDirectory: isDirectory.boolValue)
        }
    }

    func kernelFacts(wanted: Set<CheckArea> = Set(CheckArea.allCases), skipped: String = "") async -> KernelFacts {
        if let kernelNotOwn { return KernelFacts(sessions: .unknown(kernelNotOwn), multipath: .unknown(kernelNotOwn), mounts: .unknown(kernelNotOwn)) }
        var facts = KernelFacts()
        if !wanted.contains(.iscsi) {
            facts.sessions = .unknown(skipped)
            facts.multipath = .unknown(skipped)
        } else if spec.iscsi != nil {
            facts.sessions = await known(Command("iscsiadm", ["-m", "session", "-P", "3"], timeout: .seconds(10)), package: "open-iscsi", emptyExit: 21) { (output) throws(ToolOutputError) in
                try ISCSISessionDetailParser.parse(output)
            }
            facts.multipath = await known(Command("multipath", ["-ll"], timeout: .seconds(10)), package: "multipath-tools", emptyExit: nil) { (output) throws(ToolOutputError) in
                try MultipathListParser.parse(output)
            }
        } else {
            facts.sessions = .unknown("the spec has no iSCSI")
            facts.multipath = .unknown("the spec has no iSCSI")
        }
        guard wanted.contains(.path) else {
            facts.mounts = .unknown(skipped)
            return facts
        }
        facts.mounts = await known(Command("findmnt", ["--json", "--list", "--output", "TARGET,SOURCE,FSTYPE,OPTIONS"], timeout: .seconds(10)), package: "util-linux", emptyExit: nil) { (output) throws(ToolOutputError) in
            try FindmntParser.parse(output)
        }
        return facts
    }

    /// A tool's output, or why there is none (it failed); nil when it is not installed.
    func output(_ command: Command, emptyExit: Int32?, cached: Bool = false) async -> Known<String>? {
        // No tool may hold this host's answer past the probe deadline: one that is slower says so.
        var command = command
        command.timeout = min(command.timeout, probeTimeout)
        do {
            let result = if cached, let toolCache { try await toolCache.run(command, runner) } else { try await runner.run(command) }
            if result.succeeded { return .known(result.stdout) }
            if let emptyExit, result.exitCode == emptyExit { return .known("") }
            let said = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(result.exitCode.map(String.init) ?? "?")"
            return .unknown("`\(command.description)` failed: \(said)")
        } catch where error.code == .notInstalled {
            return nil
        } catch {
            return .unknown(error.description)
        }
    }

    /// A tool's parsed output, or why there is none (not installed, failed).
    func known<Value>(_ command: Command, package: String, emptyExit: Int32?, _ parse: (String) -> Value) async -> Known<Value> where Value: Codable & Sendable & Equatable {
        guard let output = await output(command, emptyExit: emptyExit) else { return .unknown("\(command.executable) is not installed (\(package))") }
        return output.map(parse)
    }

    /// A tool's output read by a parser that says when it cannot (`ToolOutputError`): that is
    /// an unknown with the parser's words, never "nothing there".
    func known<Value>(_ command: Command, package: String, emptyExit: Int32?, reading parse: (String) throws(ToolOutputError) -> Value) async -> Known<Value>
    where Value: Codable & Sendable & Equatable {
        guard let output = await output(command, emptyExit: emptyExit) else { return .unknown("\(command.executable) is not installed (\(package))") }
        switch output {
        case .unknown(let reason): return .unknown(reason)
        case .known(let text):
            do { return .known(try parse(text)) } catch { return .unknown(error.description) }
        }
    }

    /// A tool's output read by `parse`, whose nil means it could not: said with the output's first
    /// line, never taken for "nothing there". nil when the tool is not installed.
    func read<Value>(_ command: Command, cached: Bool = false, _ parse: (String) -> Value?) async -> Known<Value>? where Value: Codable & Sendable & Equatable {
        guard let output = await output(command, emptyExit: nil, cached: cached) else { return nil }
        switch output {
        case .unknown(let reason): return .unknown(reason)
        case .known(let text):
            if let value = parse(text) { return .known(value) }
            return .unknown("cannot read `\(command.description)`: \(text.split(separator: "\n").first.map(String.init) ?? "(nothing printed)")")
        }
    }

    /// nftables' table list (firewalld's own table; storagekit's), storagekit's iptables chain
    /// and firewalld policy file, as `check` reads a server's (`FirewallObserver`); no D-Bus.
    func firewallFacts() async -> Known<FirewallFacts> {
        guard spec.firewall.manage, !FirewallPolicy.openings(for: host, in: spec).isEmpty else { return .unknown("the spec does not manage this host's firewall") }
        let runner = self.runner
        return await FirewallObserver(timeout: min(.seconds(5), probeTimeout)) { command throws(SystemError) in try await runner.run(command) }.observe()
    }

    func systemFacts() async -> SystemFacts {
        // Beside the other tool runs, not after them.
        async let firewall = firewallFacts()
        let cpu = SystemFactsParsers.cpu((try? String(contentsOfFile: root + "/proc/cpuinfo", encoding: .utf8)) ?? "")
        let os = SystemFactsParsers.osRelease((try? String(contentsOfFile: root + "/etc/os-release", encoding: .utf8)) ?? "")
        // From the kernel of this network namespace (sysfs may show another's).
        let bridges = await known(Command("ip", ["-o", "link", "show", "type", "bridge"], timeout: .seconds(5)), package: "iproute2", emptyExit: nil, SystemFactsParsers.bridges).value ?? []
        var facts = SystemFacts(cpuVendor: cpu.vendor, cpuFlags: cpu.flags, osID: os.id, osVersion: os.version, bridges: bridges)
        if spec.osFamily(of: host) == .rhel {
            let sebool: Known<Bool?> = await known(Command("getsebool", ["virt_use_nfs"], timeout: .seconds(5)), package: "policycoreutils", emptyExit: nil, SystemFactsParsers.sebool)
            switch sebool {
            case .known(let value?): facts.virtUseNFS = .known(value)
            case .known(nil): facts.virtUseNFS = .unknown("getsebool virt_use_nfs printed no on/off")
            case .unknown(let reason): facts.virtUseNFS = .unknown(reason.contains("SELinux is disabled") ? "SELinux is disabled" : reason)
            }
        } else {
            facts.virtUseNFS = .unknown("not a RHEL-family host")
        }
        facts.hypervisorUser = await QemuAccount.lookup(runner).map { .known($0) } ?? .unknown(UserFacts.qemuAccountMissing)
        if host.has(.hypervisor) && spec.migration.hypervisor == .kvm {
            // Each is a tool run of its own: they run at once, not one after another.
            let conf = qemuConf()
            facts.migrationPortRange = conf.map(\.ports)
            async let address = migrationAddress(conf.value)
            async let libvirt = version(["libvirtd", "virtqemud"], package: "libvirt-daemon", SystemFactsParsers.libvirtVersion)
            async let qemu = version(["qemu-system-x86_64"], package: "qemu-system-x86", SystemFactsParsers.qemuVersion)
            async let machines = read(Command("qemu-system-x86_64", ["-machine", "help"], timeout: .seconds(5)), cached: true, SystemFactsParsers.machineTypes)
            facts.migrationAddress = await address
            facts.libvirtVersion = await libvirt
            facts.qemuVersion = await qemu
            facts.machineTypes = await machines ?? .unknown("qemu-system-x86_64 is not installed (qemu-system-x86)")
        } else {
            facts.libvirtVersion = .unknown("not a KVM hypervisor")
            facts.qemuVersion = .unknown("not a KVM hypervisor")
            facts.machineTypes = .unknown("not a KVM hypervisor")
            facts.migrationPortRange = .unknown("not a KVM hypervisor")
            facts.migrationAddress = .unknown("not a KVM hypervisor")
        }
        facts.firewall = await firewall
        return facts
    }

    /// /etc/libvirt/qemu.conf's migration settings; libvirt's defaults where there is none.
    func qemuConf() -> Known<LibvirtQemuConf.Migration> {
        let path = root + "/etc/libvirt/qemu.conf"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return FileManager.default.fileExists(atPath: path) ? .unknown("cannot read \(path)") : .known(LibvirtQemuConf.Migration())
        }
        do { return .known(try LibvirtQemuConf.migration(text, source: path)) } catch { return .unknown(error.description) }
    }

    /// `TOOL --version` of the first of `tools` that is installed, read by `parse`.
    func version(_ tools: [String], package: String, _ parse: (String) -> SoftwareVersion?) async -> Known<SoftwareVersion> {
        for tool in tools {
            if let seen = await read(Command(tool, ["--version"], timeout: .seconds(5)), cached: true, parse) { return seen }
        }
        return .unknown("\(tools.joined(separator: " or ")) is not installed (\(package))")
    }

    // MARK: Migration

    /// Connects to each peer's migration ports: libvirtd's two and every port of the range
    /// storagekit's firewall opens for qemu (KVM; libvirt may hand a migration any of them),
    /// or xend's relocation port. The range comes back as runs of ports that answered alike.
    /// Peers outside `sweeping` (nil: none is) get the range's first and last port only.
    func migrationPorts(peers names: [String]?, sweeping: [String]? = nil) async -> [PortFacts] {
        guard host.has(.hypervisor) else { return [] }
        let kvm = spec.migration.hypervisor == .kvm
        let ports: [(Int, String)] = kvm
            ? [(FirewallPolicy.libvirtPorts.tcp, "libvirtd"), (FirewallPolicy.libvirtPorts.tls, "libvirtd-tls")]
            : spec.migration.usesXendRelocation ? [(spec.migration.relocationPort, "xen-relocation")] : []
        let range = Array(FirewallPolicy.libvirtPorts.migrationFirst...FirewallPolicy.libvirtPorts.migrationLast)
        let ends = [range[0], range[range.count - 1]]
        let timeout = probeTimeout
        let peers = peers(names)
        return await withTaskGroup(of: [PortFacts].self) { group in
            for peer in peers {
                guard let address = peer.addresses.first else { continue }
                for (port, service) in ports {
                    group.addTask { [PortFacts(address: address, port: port, service: service, peer: peer.name, reach: await TCPProbe.reach(address, port: port, timeout: timeout))] }
                }
                if kvm {
                    let ports = sweeping?.contains(peer.name) == false ? ends : range
                    group.addTask {
                        TCPPortSweep.runs(await TCPPortSweep.reach(address, ports: ports, timeout: timeout)).map {
                            PortFacts(address: address, port: $0.first, through: $0.last, service: "qemu-migration", peer: peer.name, reach: $0.outcome)
                        }
                    }
                }
            }
            var result: [PortFacts] = []
            for await ports in group { result += ports }
            return result.sorted { ($0.peer ?? "", $0.port) < ($1.peer ?? "", $1.port) }
        }
    }

    /// The other hypervisors named in `names` (`check`'s `PeerPlan`); nil: every other one.
    func peers(_ names: [String]?) -> [StorageModel.Host] {
        spec.hypervisors.filter { $0.name != host.name && names?.contains($0.name) != false }
    }

    /// Whether root here logs in to each peer over ssh without a prompt, by the peer's name
    /// and with this host's own ssh configuration, as `virsh migrate` and `xl migrate` would.
    func sshTrust(peers names: [String]?) async -> [SSHTrustFacts] {
        guard host.has(.hypervisor), spec.migration.sshTrust != .unused else { return [] }
        // Within the probe deadline like every other probe: a slow ssh must not hold this host's
        // whole answer past the check's timeout.
        let seconds = max(1, Int(probeTimeout.milliseconds / 1000))
        let peers = peers(names)
        return await withTaskGroup(of: SSHTrustFacts.self) { group in
            for peer in peers {
                let command = Command("ssh", ["-o", "BatchMode=yes", "-o", "ConnectTimeout=\(seconds)", "-o", "ConnectionAttempts=1", "-n", "-T", "root@\(peer.name)", "true"],
                                      timeout: probeTimeout)
                group.addTask { [runner] in
                    do throws(SystemError) {
                        let result = try await runner.run(command)
                        return SSHTrustFacts(peer: peer.name, outcome: SSHBatchModeOutcome.classify(exitCode: result.exitCode, stderr: result.stderr),
                                             said: result.succeeded ? "" : SSHBatchModeOutcome.lastLine(result.stderr))
                    } catch where error.code == .notInstalled {
                        return SSHTrustFacts(peer: peer.name, outcome: .noClient, said: "ssh is not installed (openssh-client)")
                    } catch where error.code == .timedOut {
                        return SSHTrustFacts(peer: peer.name, outcome: .timeout, said: "not finished within \(probeTimeout.milliseconds / 1000) s")
                    } catch {
                        return SSHTrustFacts(peer: peer.name, outcome: .failed, said: error.description)
                    }
                }
            }
            var result: [SSHTrustFacts] = []
            for await trust in group { result.append(trust) }
            return result.sorted { $0.peer < $1.peer }
        }
    }

    /// Xen guests from their xl configs in /etc/xen (`*.cfg`).
    func xenDomains() -> Known<[DomainFacts]> {
        let directory = root + "/etc/xen"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return .unknown("no /etc/xen here: is Xen installed?") }
        return .known(names.filter { $0.hasSuffix(".cfg") }.sorted().compactMap { file in
            guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { return nil }
            let parsed = XenConfigParser.parse(text)
            return DomainFacts(name: parsed.name ?? String(file.dropLast(4)), disks: parsed.disks)
        })
    }

    /// KVM guests as libvirt defines them: `virsh dumpxml` of each, or, where virsh is not
    /// installed (and in a namespace of the lab, whose /etc is its own), the definitions libvirt
    /// keeps in /etc/libvirt/qemu. Each file disk's backing chain comes from qemu-img.
    func domainFacts() async -> Known<[DomainFacts]> {
        guard host.has(.hypervisor) else { return .unknown("not a hypervisor") }
        guard spec.migration.hypervisor == .kvm else { return xenDomains() }
        var domains: [DomainFacts] = []
        // A lab namespace asks its own /etc, never this machine's libvirtd.
        let listed = kernelNotOwn != nil ? nil : await output(Command("virsh", ["list", "--all", "--name"], timeout: .seconds(10)), emptyExit: nil)
        switch listed {
        case .known(let output)?:
            for name in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) {
                let xml: Known<String> = await known(Command("virsh", ["dumpxml", name], timeout: .seconds(10)), package: "libvirt-clients", emptyExit: nil) { $0 }
                guard let text = xml.value else { return .unknown(xml.reason ?? "") }
                do { domains.append(try LibvirtDomainParser.parse(text, fallbackName: name, source: "virsh dumpxml \(name)")) } catch { return .unknown(error.description) }
            }
        case nil:
            let directory = root + "/etc/libvirt/qemu"
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                return .unknown("neither virsh nor /etc/libvirt/qemu here: is libvirt installed?")
            }
            for file in files.filter({ $0.hasSuffix(".xml") }).sorted() {
                let path = "\(directory)/\(file)"
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return .unknown("cannot read \(path)") }
                do { domains.append(try LibvirtDomainParser.parse(text, fallbackName: String(file.dropLast(4)), source: path)) } catch { return .unknown(error.description) }
            }
        case .unknown(let reason)?:
            return .unknown(reason)
        }
        for index in domains.indices {
            for disk in domains[index].disks.indices where !domains[index].disks[disk].source.hasPrefix("/dev/") {
                domains[index].disks[disk].backingFiles = await backingChain(of: domains[index].disks[disk].source)
            }
            let snapshots = await snapshotCount(of: domains[index].name)
            if snapshots > 0 { domains[index].blockers.append("\(snapshots) snapshot\(snapshots == 1 ? "" : "s")") }
        }
        return .known(domains)
    }

    /// This host's name and what it resolves to here: libvirt builds the migration URI a peer
    /// connects to from it (unless qemu.conf sets migration_host).
    func migrationAddress(_ configured: LibvirtQemuConf.Migration?) async -> Known<MigrationAddressFacts> {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return .unknown("gethostname failed") }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // getent exits 2 when the name does not resolve: that is an answer, no addresses.
        let resolved = await known(Command("getent", ["ahostsv4", name], timeout: .seconds(5)), package: "libc-bin", emptyExit: 2, SystemFactsParsers.resolvedAddresses)
        return resolved.map { MigrationAddressFacts(hostname: name, resolved: $0, migrationHost: configured?.host, listenAddress: configured?.listen) }
    }

    /// libvirt refuses to migrate a guest with snapshots: `virsh snapshot-list --name`, or the
    /// snapshot definitions libvirt keeps in /var/lib/libvirt/qemu/snapshot/<guest> without virsh.
    func snapshotCount(of name: String) async -> Int {
        if kernelNotOwn == nil, let listed = try? await runner.run(Command("virsh", ["snapshot-list", "--name", name], timeout: .seconds(10))), listed.succeeded {
            return listed.stdout.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root + "/var/lib/libvirt/qemu/snapshot/\(name)")) ?? []
        return files.filter { $0.hasSuffix(".xml") }.count
    }

    /// An image's backing files (`qemu-img info -U`: it reads the image while qemu has it open).
    func backingChain(of image: String) async -> Known<[String]> {
        let command = Command("qemu-img", ["info", "-U", "--backing-chain", "--output=json", image], timeout: .seconds(10))
        let output: Known<String> = await known(command, package: "qemu-utils", emptyExit: nil) { $0 }
        guard let json = output.value else { return .unknown(output.reason ?? "") }
        do { return .known(try QemuImgChainParser.backingFiles(json, source: command.description)) } catch { return .unknown(error.description) }
    }
}
