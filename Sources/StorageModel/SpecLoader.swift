import Yams

/// The result of loading a spec: the typed spec (best effort, so validation can still report
/// everything at once), every problem found while reading it, and where each field is.
public struct LoadedSpec: Sendable {
    public var spec: ClusterSpec
    public var diagnostics: [Diagnostic]
    public var sourceMap: SourceMap
}

public enum SpecLoadError: Error, CustomStringConvertible {
    case notYAML(line: Int?, reason: String)
    case empty

    public var description: String {
        switch self {
        case .notYAML(let line, let reason):
            return "\(line.map { "line \($0): " } ?? "")not valid YAML: \(reason)"
        case .empty: return "the spec is empty: start with `cluster: NAME` (see examples/)"
        }
    }
}

/// Reads spec YAML into a `ClusterSpec`, recording each key's line and every unknown key.
public enum SpecLoader {
    public static func load(yaml: String) throws(SpecLoadError) -> LoadedSpec {
        let root: Node?
        do {
            // Every value is read as text and converted by the field reader, so no tag needs
            // resolving: the default resolver runs regular expressions on every scalar, the
            // biggest cost of loading a 200-host spec (each host loads it for every check).
            root = try Yams.compose(yaml: yaml, .basic)
        } catch let error as YamlError {
            throw .notYAML(line: yamlErrorLine(error), reason: yamlErrorReason(error))
        } catch {
            throw .notYAML(line: nil, reason: "\(error)")
        }
        guard let root else { throw .empty }

        let context = LoadContext()
        let spec = readSpec(root, context)
        return LoadedSpec(spec: spec, diagnostics: context.diagnostics, sourceMap: context.sourceMap)
    }

    private static func readSpec(_ root: Node, _ context: LoadContext) -> ClusterSpec {
        guard let top = MappingReader(root, path: "", context: context) else {
            return ClusterSpec(cluster: "", mountPath: "", networks: [], hosts: [])
        }
        let cluster = top.string("cluster", required: true, hint: "name the cluster, e.g. `cluster: lab`") ?? ""
        let os = top.enumValue("os", OSFamily.self) ?? .debian
        let transport = top.enumValue("transport", TransportKind.self) ?? .ssh
        let mountPath = top.string("mountPath", required: true, hint: "e.g. `mountPath: /var/lib/vmstore`") ?? ""
        let networks = top.stringList("network", acceptScalar: true) ?? []
        if networks.isEmpty && !top.has("network") {
            context.error("network", line: top.line, "is required: the storage network(s) the firewall allows",
                fix: "e.g. `network: 10.20.0.0/24`")
        }
        let hosts = (top.mappings("hosts") ?? []).map { readHost($0, transport: transport) }
        if hosts.isEmpty { context.error("hosts", line: top.line, "at least one host is required") }
        let nfs = top.mapping("nfs").map(readNFS)
        let iscsi = top.mapping("iscsi").map { readISCSI($0, cluster: cluster) }
        let drbd = top.mapping("drbd").map { readDRBD($0) }
        var firewall = FirewallSpec()
        if let reader = top.mapping("firewall") {
            firewall.manage = reader.bool("manage") ?? false
            firewall.backend = readFirewallBackend(reader) ?? .auto
            reader.finish()
        }
        var migration = MigrationSpec()
        if let reader = top.mapping("migration") {
            migration.hypervisor = reader.enumValue("hypervisor", Hypervisor.self) ?? .kvm
            migration.configure = reader.bool("configure") ?? false
            if let port = reader.int("relocationPort") { migration.relocationPort = port }
            if let toolstack = reader.enumValue("toolstack", XenToolstack.self) { migration.toolstack = toolstack }
            migration.transport = reader.enumValue("transport", MigrationTransport.self)
            for key in ["relocationPort", "toolstack"] where migration.hypervisor != .xen && reader.has(key) {
                reader.reportInvalid(key, "is a Xen setting, and migration.hypervisor is \(migration.hypervisor.rawValue)",
                    fix: "remove it, or set `hypervisor: xen`")
            }
            if migration.hypervisor == .xen && reader.has("transport") {
                reader.reportInvalid("transport", "is how libvirt moves KVM guests; Xen's toolstack decides that (xl: ssh, xend: its relocation port)",
                    fix: "remove it, or set `toolstack: xl` to migrate over ssh")
            }
            reader.finish()
        }
        var storagekitPath: String?
        if let reader = top.mapping("storagekit") {
            storagekitPath = reader.string("path")
            if let path = storagekitPath, !path.hasPrefix("/") || path.hasSuffix("/") || path.contains(where: { $0.isWhitespace }) {
                reader.reportInvalid("path", "must be the absolute path of the storagekit program on every host", fix: "e.g. `path: \(StorageKitInstall.defaultPath)`")
            }
            reader.finish()
        }
        top.finish()
        var spec = ClusterSpec(
            cluster: cluster, os: os, mountPath: mountPath, networks: networks, hosts: hosts,
            nfs: nfs, iscsi: iscsi, drbd: drbd, firewall: firewall, migration: migration)
        spec.storagekitPath = storagekitPath
        return spec
    }

    private static func readHost(_ reader: MappingReader, transport: TransportKind) -> Host {
        let name = reader.string("name", required: true) ?? ""
        var addresses: [String] = []
        var addressKey = "address"
        if let one = reader.string("address") { addresses = [one] }
        if let several = reader.stringList("addresses") {
            if !addresses.isEmpty {
                // Both given: report once, keep the list.
                reader.reportBoth("address", "addresses")
            }
            addresses = several
            addressKey = "addresses"
        }
        if addresses.isEmpty {
            reader.reportMissing("address", fix: "add `address: 10.20.0.11` (or `addresses: [...]` for several NICs)")
        }
        let roles = (reader.stringList("roles", acceptScalar: true) ?? []).enumerated().compactMap { index, text in
            reader.role(text, index: index)
        }
        var backend: FirewallBackend?
        if let firewall = reader.mapping("firewall") {
            backend = readFirewallBackend(firewall)
            firewall.finish()
        }
        return Host(
            name: name, addresses: addresses, addressKey: addressKey, roles: roles,
            initiatorName: reader.string("initiatorName"), os: reader.enumValue("os", OSFamily.self),
            transport: reader.enumValue("transport", TransportKind.self) ?? transport, firewallBackend: backend)
            .finishing(reader)
    }

    /// `backend:` of a `firewall` mapping.
    private static func readFirewallBackend(_ reader: MappingReader) -> FirewallBackend? {
        reader.enumValue("backend", FirewallBackend.self)
    }

    private static func readNFS(_ reader: MappingReader) -> NFSSpec {
        let exports: [NFSExport] = (reader.mappings("exports") ?? []).map { item in
            let export = NFSExport(
                path: item.string("path", required: true) ?? "",
                clients: item.stringList("clients", acceptScalar: true) ?? [],
                options: item.stringList("options") ?? NFSExport.defaultOptions,
                fsid: item.int("fsid"),
                mountPath: item.string("mountPath"))
            if export.clients.isEmpty {
                item.reportMissing("clients", fix: "list who may mount it, e.g. `clients: [10.20.0.0/24]`")
            }
            item.finish()
            return export
        }
        var ports = NFSPorts()
        if let portsReader = reader.mapping("ports") {
            ports.nfs = portsReader.int("nfs") ?? ports.nfs
            ports.mountd = portsReader.int("mountd") ?? ports.mountd
            ports.statd = portsReader.int("statd") ?? ports.statd
            ports.statdOutgoing = portsReader.int("statdOutgoing") ?? ports.statdOutgoing
            ports.lockd = portsReader.int("lockd") ?? ports.lockd
            ports.lockdUdp = portsReader.int("lockdUdp") ?? ports.lockdUdp
            ports.rquotad = portsReader.int("rquotad") ?? ports.rquotad
            portsReader.finish()
        }
        var spec = NFSSpec(
            server: reader.string("server", required: true, hint: "name the host with role nfs-server") ?? "",
            implementation: reader.enumValue("implementation", NFSImplementation.self) ?? .kernel,
            address: reader.string("address"),
            exports: exports, ports: ports,
            mountOptions: reader.stringList("mountOptions") ?? NFSSpec.defaultMountOptions)
        spec.graceSeconds = reader.int("graceSeconds")
        if let grace = spec.graceSeconds, !(1...3600).contains(grace) {
            reader.contextError(reader.child("graceSeconds"), line: reader.lineOf("graceSeconds"), "\(grace) is not a usable grace period", fix: "use 1 to 3600 seconds (90 is the usual; short only in labs)")
        }
        if exports.isEmpty { reader.reportMissing("exports", fix: "add at least one `- path: /srv/vmstore` entry") }
        reader.finish()
        return spec
    }

    private static func readISCSI(_ reader: MappingReader, cluster: String) -> ISCSISpec {
        let targets: [ISCSITarget] = (reader.mappings("targets") ?? []).map { item in
            let luns: [ISCSILUN] = (item.mappings("luns") ?? []).map { lunReader in
                let lun = ISCSILUN(
                    lun: lunReader.int("lun", required: true) ?? 0,
                    backingStore: lunReader.string("backingStore", required: true) ?? "",
                    size: lunReader.string("size"),
                    serial: lunReader.string("serial"),
                    alias: lunReader.string("alias"))
                lunReader.finish()
                return lun
            }
            var chap: CHAPSpec?
            if let chapReader = item.mapping("chap") {
                chap = CHAPSpec(
                    username: chapReader.string("username", required: true) ?? "",
                    secretFile: chapReader.string("secretFile", required: true, hint: "a root-only file holding the secret") ?? "")
                chapReader.finish()
            }
            let target = ISCSITarget(
                iqn: item.string("iqn", required: true) ?? "",
                server: item.string("server", required: true, hint: "name the host with role iscsi-target") ?? "",
                implementation: item.enumValue("implementation", ISCSIImplementation.self) ?? .tgt,
                portals: item.stringList("portals", acceptScalar: true),
                initiators: item.stringList("initiators", acceptScalar: true) ?? [],
                chap: chap, luns: luns)
            if luns.isEmpty { item.reportMissing("luns", fix: "add `luns: [{lun: 1, backingStore: /srv/iscsi/disk.img, size: 10G}]`") }
            item.finish()
            return target
        }
        var multipath = MultipathSpec(alias: cluster)
        if let mp = reader.mapping("multipath") {
            multipath.alias = mp.string("alias") ?? cluster
            mp.finish()
        }
        let spec = ISCSISpec(
            targets: targets, multipath: multipath,
            filesystem: reader.enumValue("filesystem", ClusterFilesystem.self) ?? .none)
        if targets.isEmpty { reader.reportMissing("targets", fix: "add at least one target with `iqn`, `server` and `luns`") }
        reader.finish()
        return spec
    }
}

extension MappingReader {
    fileprivate func role(_ text: String, index: Int) -> HostRole? {
        if let role = HostRole(rawValue: text) { return role }
        let choices = HostRole.allCases.map(\.rawValue)
        reportInvalid("roles[\(index)]", "\"\(text)\" is not a role; roles are: \(choices.joined(separator: ", "))",
            fix: suggestion(for: text, among: choices).map { "did you mean \"\($0)\"?" })
        return nil
    }
}

extension Host {
    fileprivate func finishing(_ reader: MappingReader) -> Host {
        reader.finish()
        return self
    }
}

private func yamlErrorLine(_ error: YamlError) -> Int? {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
        return mark.line
    default:
        return nil
    }
}

private func yamlErrorReason(_ error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
        return problem
    default:
        return "\(error)"
    }
}
