import StorageModel

/// Every file one host needs, for its roles and OS family, sorted by path. Deterministic: the
/// same spec gives byte-identical files.
public enum HostRenderer {
    /// The groups of files, by the job they serve (`setup nfs` writes only `.nfsServer`, …).
    public enum Part: String, Sendable, CaseIterable, Codable {
        case nfsServer, iscsiTarget, hypervisor, drbd, firewall
    }

    public static func render(
        _ spec: ClusterSpec, host name: String, secrets: [String: String] = [:], parts: Set<Part> = Set(Part.allCases)
    ) throws(RenderError) -> [RenderedFile] {
        guard let host = spec.host(named: name) else {
            throw .unknownHost(name, known: spec.hosts.map(\.name))
        }
        let context = RenderContext(spec: spec, host: host, secrets: secrets)
        var files: [RenderedFile] = []
        if parts.contains(.nfsServer) { files += NFSServerFiles.render(context) }
        if parts.contains(.iscsiTarget) { files += try ISCSITargetFiles.render(context) + LIOTargetFiles.render(context) }
        if parts.contains(.hypervisor) { files += HypervisorFiles.render(context) }
        if parts.contains(.drbd) { files += DRBDFiles.render(context) }
        if parts.contains(.firewall) { files += FirewallFiles.render(context) }
        return files.sorted { $0.path < $1.path }
    }

    /// Secret files the rendering of `host` reads (CHAP of the targets it serves).
    public static func secretFiles(_ spec: ClusterSpec, host name: String) -> [String] {
        (spec.iscsi?.targets ?? []).filter { $0.server == name }.compactMap { $0.chap?.secretFile }
    }
}
