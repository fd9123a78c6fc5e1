import StorageModel

/// Files of the host named by `nfs.server`: the export table of its implementation and the
/// daemons' pinned ports in every dialect the OS family reads.
enum NFSServerFiles {
    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard let nfs = context.spec.nfs, nfs.server == context.host.name else { return [] }
        var files: [RenderedFile] = []
        switch nfs.implementation {
        case .kernel:
            files.append(RenderedFile(
                path: "/etc/exports",
                content: TemplateLibrary.render(.exports, ExportsModel(context, nfs)),
                purpose: "NFS exports (knfsd)"))
            files.append(RenderedFile(
                path: "/etc/modprobe.d/lockd.conf",
                content: TemplateLibrary.render(.lockdModprobe, PortsModel(context, nfs, "Kernel lockd ports")),
                purpose: "kernel lockd ports"))
        case .ganesha:
            files.append(RenderedFile(
                path: "/etc/ganesha/ganesha.conf",
                content: TemplateLibrary.render(.ganeshaConf, GaneshaModel(context, nfs)),
                purpose: "NFS exports and ports (nfs-ganesha)"))
        }
        files.append(RenderedFile(
            path: "/etc/nfs.conf",
            content: TemplateLibrary.render(.nfsConf, PortsModel(context, nfs, "nfs-utils configuration")),
            purpose: "NFS daemon ports (nfs.conf)"))
        if context.os == .rhel {
            files.append(RenderedFile(
                path: "/etc/sysconfig/nfs",
                content: TemplateLibrary.render(.sysconfigNFS, PortsModel(context, nfs, "NFS daemon ports (RHEL sysconfig)")),
                purpose: "NFS daemon ports (sysconfig)"))
        }
        return files
    }
}

struct PortsModel: Sendable {
    let header: FileHeader
    let nfs, mountd, statd, statdOutgoing, lockd, lockdUdp, rquotad: Int
    let grace: Int?

    init(_ context: RenderContext, _ nfs: NFSSpec, _ purpose: String) {
        header = FileHeader(purpose, context)
        let ports = nfs.ports
        self.nfs = ports.nfs
        mountd = ports.mountd
        statd = ports.statd
        statdOutgoing = ports.statdOutgoing
        grace = nfs.graceSeconds
        lockd = ports.lockd
        lockdUdp = ports.lockdUdp
        rquotad = ports.rquotad
    }
}

struct ExportsModel: Sendable {
    struct Client: Sendable { let client: String; let options: String }
    struct Export: Sendable { let path: String; let clients: [Client] }
    let header: FileHeader
    let exports: [Export]

    init(_ context: RenderContext, _ nfs: NFSSpec) {
        header = FileHeader("NFS exports", context)
        exports = nfs.exports.map { export in
            let options = export.options + (export.fsid.map { ["fsid=\($0)"] } ?? [])
            return Export(path: export.path, clients: export.clients.map { Client(client: $0, options: options.joined(separator: ",")) })
        }
    }
}

/// nfs-ganesha has no export-option strings: the same intent in its EXPORT/CLIENT keys.
struct GaneshaModel: Sendable {
    struct Client: Sendable {
        let client: String
        let accessType: String
        let squash: String
        let privilegedPort: String?
    }
    struct Export: Sendable {
        let exportID: Int
        let path: String
        let protocols: String
        let clients: [Client]
    }
    let header: FileHeader
    let nfs, mountd, lockd, rquotad: Int
    let protocols: String
    let exports: [Export]
    let grace: Int?

    init(_ context: RenderContext, _ nfs: NFSSpec) {
        header = FileHeader("nfs-ganesha configuration", context)
        self.nfs = nfs.ports.nfs
        mountd = nfs.ports.mountd
        lockd = nfs.ports.lockd
        rquotad = nfs.ports.rquotad
        protocols = "3, 4"
        grace = nfs.graceSeconds
        exports = nfs.exports.enumerated().map { index, export in
            let options = Set(export.options.map(ExportOptions.key))
            let squash = options.contains("all_squash") ? "All_Squash" : options.contains("no_root_squash") ? "No_Root_Squash" : "Root_Squash"
            let client = { (name: String) in
                Client(
                    client: name, accessType: options.contains("rw") ? "RW" : "RO", squash: squash,
                    privilegedPort: options.contains("insecure") ? "false" : options.contains("secure") ? "true" : nil)
            }
            // Export_Id 0 is ganesha's pseudo root: ids start at 1.
            return Export(
                exportID: index + 1, path: export.path, protocols: "3, 4",
                clients: export.clients.map(client))
        }
    }
}
