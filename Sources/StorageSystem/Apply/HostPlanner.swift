import StorageFacts
import StorageModel
import StorageRender

/// Works out what one host needs, from the spec and what is on the host now: only differences
/// become actions, so a converged host gets an empty plan.
public struct HostPlanner: Sendable {
    public let spec: ClusterSpec
    public let context: HostContext
    /// CHAP secrets by file, read on the machine running storagekit.
    public let secrets: [String: String]
    public let parts: Set<HostRenderer.Part>
    /// Only the rendered files whose path passes (e.g. `storagekit mount`: units and fstab).
    public var fileFilter: @Sendable (String) -> Bool = { _ in true }

    public init(spec: ClusterSpec, context: HostContext, secrets: [String: String], parts: Set<HostRenderer.Part>) {
        self.spec = spec
        self.context = context
        self.secrets = secrets
        self.parts = parts
    }

    var host: Host { context.host }
    var files: HostFiles { context.files }

    public func plan() async throws(SystemError) -> HostPlan {
        var plan = HostPlan(host: host.name)
        let rendered: [RenderedFile]
        do {
            rendered = try HostRenderer.render(spec, host: host.name, secrets: secrets, parts: parts.subtracting([.firewall]))
        } catch {
            throw .plan(host: host.name, reason: error.description)
        }
        do {
            var written = Set<String>()
            for file in rendered where fileFilter(file.path) {
                if let action = try await fileAction(file) {
                    plan.actions.append(action)
                    written.insert(file.path)
                }
            }
            if parts.contains(.nfsServer), let nfs = spec.nfs, nfs.server == host.name {
                plan.actions += try await nfsActions(nfs, written: written)
            }
            if parts.contains(.iscsiTarget) {
                try await iscsiActions(into: &plan)
            }
            // The same path on every hypervisor, present before anything is mounted on it.
            if parts.contains(.hypervisor) {
                for mount in Set(spec.sharedMounts(of: host).map(\.mountPoint)).sorted() where try await !files.exists(mount) {
                    plan.actions.append(PlannedAction("create mount point \(mount) (root:root 0755)", .makeDirectory(path: mount, mode: 0o755)))
                }
                // iscsid reads the name only when it starts: left running, it logs in under the
                // old one, which hosts cloned from one image share, and the target then swaps
                // their sessions (seen in the kernel lab when `apply` ran before `iscsi login`).
                if written.contains("/etc/iscsi/initiatorname.iscsi"), try await context.services.isRunning(Services.iscsid) {
                    plan.actions.append(PlannedAction("restart iscsid (it reads its initiator name only when it starts)", .restartService(Services.iscsid)))
                }
            }
            if parts.contains(.firewall), spec.firewall.manage {
                try await firewallActions(into: &plan)
            }
        } catch let error as SystemError where error.code == .plan {
            throw error
        } catch {
            throw .plan(host: host.name, reason: "\(error)", cause: (error as? SystemError)?.code)
        }
        return plan
    }

    /// The host's firewall backend (decided on the host for `auto`, and said why), then what
    /// its rules need.
    private func firewallActions(into plan: inout HostPlan) async throws {
        let choice = try await FirewallBackendProbe(context: context).choose(spec.firewallBackend(of: host))
        switch choice.backend {
        case .auto, .iptables:
            guard let input = FirewallFiles.chainRestoreInput(spec, host: host.name) else { return }
            plan.firewallBackend = .iptables
            plan.notes.append("firewall backend: iptables (\(choice.reason))")
            let persistPath = context.osFamily == .rhel ? "/etc/sysconfig/iptables" : "/etc/iptables/rules.v4"
            if try await !FirewallState.isCurrent(input, persistPath: persistPath, files: files) {
                plan.actions.append(PlannedAction(
                    "load storagekit's firewall chain (\(FirewallState.chainRules(of: input).count) rules, others untouched) and save the result to \(persistPath)",
                    diff: input, .firewall(chainInput: input, persistPath: persistPath)))
            }
        case .nftables:
            guard let ruleset = NFTablesFiles.ruleset(spec, host: host.name) else { return }
            plan.firewallBackend = .nftables
            plan.notes.append("firewall backend: nftables (\(choice.reason))")
            if try await !NFTablesApplier(context: context).isCurrent(ruleset) {
                let rules = NFTablesFiles.rules(of: NFTablesFiles.listing(of: ruleset)).count
                plan.actions.append(PlannedAction(
                    "load nftables table inet \(NFTablesFiles.table) (\(rules) rules, other tables untouched), keep it in \(NFTablesFiles.rulesetPath) and include it from \(NFTablesFiles.confPath(context.osFamily))",
                    diff: ruleset, .nftables(ruleset: ruleset)))
            }
        case .firewalld:
            guard let policy = FirewalldFiles.policyXML(spec, host: host.name) else { return }
            let release = try await FirewalldApplier.release(context.transport)
            if let release, !FirewalldApplier.hasPolicies(release) {
                throw SystemError.plan(host: host.name, reason: "firewalld \(release.major).\(release.minor) runs there, and storagekit keeps its rules in a firewalld policy, which came with 0.9. "
                    + "Upgrade firewalld, or open the ports `storagekit render --host \(host.name)` lists with `firewall-cmd --permanent --add-port` (then `firewall-cmd --reload`)")
            }
            plan.firewallBackend = .firewalld
            plan.notes.append("firewall backend: firewalld (\(choice.reason))")
            if try await !FirewalldApplier(context: context).isCurrent(policy) {
                plan.actions.append(PlannedAction(
                    "write firewalld policy \(FirewalldFiles.policy) (\(FirewalldFiles.ruleCount(policy)) rules; the zones untouched) to \(FirewalldFiles.policyPath), check it with firewall-cmd --check-config, and reload firewalld",
                    diff: policy, .firewalld(policy: policy)))
            }
        }
    }

    private func fileAction(_ file: RenderedFile) async throws(SystemError) -> PlannedAction? {
        let current = try await files.read(file.path)
        let content: String
        switch file.kind {
        case .whole: content = file.content
        case .managedBlock(let begin, let end, let supersedes):
            content = ManagedBlock.merge(existing: current?.content, block: file.content, begin: begin, end: end, supersedes: supersedes)
        }
        if current?.content == content && current?.mode == file.mode { return nil }
        let verb = current == nil ? "create" : current?.content == content ? "set mode \(String(file.mode, radix: 8)) of" : "update"
        let diff = file.containsSecret ? "(\(file.path) holds a secret: diff not shown)\n" : await UnifiedDiff.make(old: current?.content, new: content, path: file.path)
        return PlannedAction(
            "\(verb) \(file.path) (\(file.purpose))", diff: diff,
            .writeFile(path: file.path, content: content, mode: file.mode, check: FileCheck.forFile(file.path), secret: file.containsSecret))
    }

    private func nfsActions(_ nfs: NFSSpec, written: Set<String>) async throws -> [PlannedAction] {
        var actions: [PlannedAction] = []
        for export in nfs.exports where try await !files.exists(export.path) {
            actions.append(PlannedAction("create export directory \(export.path) (root:root 0755)", .makeDirectory(path: export.path, mode: 0o755)))
        }
        let services = context.services
        if try await !services.isRunning(Services.rpcbind) {
            actions.append(PlannedAction("start rpcbind", .startService(Services.rpcbind)))
        }
        switch nfs.implementation {
        case .ganesha:
            let changed = written.contains("/etc/ganesha/ganesha.conf")
            if try await !services.isRunning(Services.ganesha) {
                actions.append(PlannedAction("start nfs-ganesha", .startService(Services.ganesha)))
            } else if changed {
                actions.append(PlannedAction("restart nfs-ganesha (its configuration changed)", .restartService(Services.ganesha)))
            }
        case .kernel:
            let portsChanged = !written.isDisjoint(with: ["/etc/nfs.conf", "/etc/sysconfig/nfs", "/etc/modprobe.d/lockd.conf"])
            for service in [Services.statd, Services.nfsServer] {
                if try await !services.isRunning(service) {
                    actions.append(PlannedAction("start \(service.systemdUnit)", .startService(service)))
                } else if portsChanged {
                    actions.append(PlannedAction("restart \(service.systemdUnit) (pinned ports changed)", .restartService(service)))
                }
            }
            if portsChanged {
                // lockd takes its ports when the module loads; a loaded module is told through sysctl.
                actions.append(PlannedAction(
                    "set lockd's ports now (tcp \(nfs.ports.lockd), udp \(nfs.ports.lockdUdp))",
                    .run(Command("sh", ["-c", "[ ! -d /proc/sys/fs/nfs ] || exec sysctl -w \"$@\"", "sysctl",
                                        "fs.nfs.nlm_tcpport=\(nfs.ports.lockd)", "fs.nfs.nlm_udpport=\(nfs.ports.lockdUdp)"]))))
            }
            if written.contains("/etc/exports") || !actions.isEmpty {
                actions.append(PlannedAction("re-export everything (exportfs -ra)", .run(Command("exportfs", ["-ra"]))))
            }
        }
        return actions
    }

    private func iscsiActions(into plan: inout HostPlan) async throws {
        let desired = TgtDesiredTarget.all(spec, host: host.name)
        let lio = LIODesiredTarget.all(spec, host: host.name)
        guard !desired.isEmpty || !lio.isEmpty else { return }
        var sizes: [String: UInt64] = [:]
        for target in spec.iscsi?.targets ?? [] where target.server == host.name {
            for lun in target.luns {
                if let size = try await files.size(lun.backingStore) {
                    sizes[lun.backingStore] = size
                    if let wanted = lun.sizeBytes, size > wanted {
                        let field = "iscsi.targets[\(spec.iscsi?.targets.firstIndex { $0.iqn == target.iqn } ?? 0)].luns[\(target.luns.firstIndex { $0.lun == lun.lun } ?? 0)].size"
                        throw SystemError.plan(host: host.name, reason: "\(lun.backingStore) (LUN \(lun.lun) of \(target.iqn)) is \(size) bytes, larger than \(field) (\(lun.size ?? "\(wanted)")): storagekit never shrinks a backing file, it holds guests' disks. Set \(field) to at least \(ByteSize.describe(size)), or remove size: to take the file as it is")
                    }
                    if let wanted = lun.sizeBytes, size < wanted {
                        plan.notes.append("\(lun.backingStore) is \(size) bytes, smaller than the spec's \(lun.size ?? ""); storagekit never resizes a backing file")
                    }
                    continue
                }
                guard let bytes = lun.sizeBytes else {
                    throw SystemError.plan(host: host.name, reason: "\(lun.backingStore) (LUN \(lun.lun) of \(target.iqn)) does not exist and the spec gives no size: add `size:` or create the file")
                }
                plan.actions.append(PlannedAction("create sparse backing file \(lun.backingStore) (\(lun.size ?? "\(bytes)"))", .createSparseFile(path: lun.backingStore, size: bytes)))
            }
        }
        try await lioActions(lio, fileSizes: sizes, into: &plan)
        guard !desired.isEmpty else { return }
        let tgtd = Services.tgtd(context.osFamily)
        guard try await context.services.isRunning(tgtd) else {
            plan.actions.append(PlannedAction("start tgtd", .startService(tgtd)))
            plan.actions.append(PlannedAction("create \(desired.count) target(s) in tgtd once it runs", .reconcileTargets(desired)))
            return
        }
        let live = try await TgtLiveState.read(files)
        let result = TgtReconciler.reconcile(desired: desired, live: live.targets, accounts: live.accounts, portals: live.portals)
        plan.actions += result.operations.map { PlannedAction($0.summary, .tgt($0)) }
        plan.conflicts = result.conflicts
        for iqn in result.unmanaged { plan.notes.append("target \(iqn) is not in the spec: left alone") }
    }
}

extension HostPlanner {
    /// LIO's changes, through configfs: only what differs from the spec (`LIOReconciler`). When
    /// LIO is not loaded yet, its modules are, and the changes are computed once they are.
    /// `fileSizes`: the backing files that exist, by path.
    func lioActions(_ desired: [LIODesiredTarget], fileSizes: [String: UInt64], into plan: inout HostPlan) async throws {
        guard !desired.isEmpty else { return }
        // LIO's fileio needs a size; a LUN whose spec gives none takes its file's (the file
        // must exist then: the backing-file step above refuses it otherwise).
        var desired = desired
        for target in desired.indices {
            for lun in desired[target].luns.indices where desired[target].luns[lun].object.plugin == .fileio && desired[target].luns[lun].object.size == nil {
                desired[target].luns[lun].object.size = fileSizes[desired[target].luns[lun].object.dev]
            }
        }
        guard let live = try await LIOLiveState.read(files) else {
            plan.actions.append(PlannedAction("load LIO (\(LIOModules.all.joined(separator: ", ")))", .run(LIOModules.load)))
            plan.actions.append(PlannedAction("create \(desired.count) LIO target(s) once it is loaded", .reconcileLIO(desired)))
            return
        }
        let result = LIOReconciler.reconcile(desired: desired, live: live, secrets: secrets)
        plan.actions += result.operations.map { PlannedAction($0.summary, .lio($0)) }
        plan.conflicts += result.conflicts
        plan.notes += result.notes
    }
}

extension SystemError {
    /// `host`'s changes cannot be planned; `cause`: the code of the failure underneath.
    static func plan(host: String, reason: String, cause: SystemError.Code? = nil) -> SystemError {
        SystemError(.plan, "\(host): cannot plan: \(reason)", host: host, reason: reason, cause: cause)
    }
}
