import StorageModel

/// DRBD's configuration on the two hosts of each resource: the common file, one `.res` per
/// resource (identical on both nodes but for the header), and the module option Xen wants.
public enum DRBDFiles {
    public static let globalCommonPath = "/etc/drbd.d/global_common.conf"
    public static let modprobePath = "/etc/modprobe.d/drbd.conf"

    public static func resourcePath(_ resource: DRBDResource) -> String { "/etc/drbd.d/\(resource.name).res" }

    /// The files `host` gets for DRBD (what `setup drbd` installs), sorted; none off the resources' hosts.
    public static func paths(_ spec: ClusterSpec, host name: String) -> [String] {
        guard let host = spec.host(named: name) else { return [] }
        return render(RenderContext(spec: spec, host: host)).map(\.path).sorted()
    }

    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard let drbd = context.spec.drbd else { return [] }
        let resources = context.spec.drbdResources(of: context.host.name)
        guard !resources.isEmpty else { return [] }
        var files: [RenderedFile] = []
        if drbd.disableSendpage {
            files.append(RenderedFile(
                path: modprobePath, content: TemplateLibrary.render(.drbdModprobe, DRBDModprobeModel(header: FileHeader("DRBD module options", context))),
                purpose: "DRBD module options: disable_sendpage"))
        }
        files.append(RenderedFile(
            path: globalCommonPath,
            content: TemplateLibrary.render(.drbdGlobalCommon, DRBDGlobalModel(header: FileHeader("DRBD global and common settings", context))),
            purpose: "DRBD global settings"))
        for resource in resources {
            files.append(RenderedFile(
                path: resourcePath(resource), content: TemplateLibrary.render(.drbdResource, DRBDResourceModel(context, resource)),
                purpose: "DRBD resource \(resource.name), \(resource.device)"))
        }
        return files
    }
}

struct DRBDModprobeModel: Sendable { let header: FileHeader }

struct DRBDGlobalModel: Sendable { let header: FileHeader }

struct DRBDResourceModel: Sendable {
    struct Node: Sendable {
        let name: String
        let address: String
        let port: Int
    }
    let header: FileHeader
    let name: String
    let `protocol`: String
    let allowTwoPrimaries: Bool
    let afterSb0pri, afterSb1pri, afterSb2pri: String
    let verifyAlg: String?
    let device, disk, metaDisk: String
    let nodes: [Node]

    init(_ context: RenderContext, _ resource: DRBDResource) {
        header = FileHeader("DRBD resource \(resource.name): \(resource.device) mirrored between \(resource.hosts.map(\.name).joined(separator: " and "))", context)
        name = resource.name
        self.protocol = resource.protocol.rawValue
        allowTwoPrimaries = resource.allowTwoPrimaries
        afterSb0pri = resource.afterSb0pri.rawValue
        afterSb1pri = resource.afterSb1pri.rawValue
        afterSb2pri = resource.afterSb2pri.rawValue
        verifyAlg = resource.verifyAlg
        device = resource.device
        disk = resource.disk
        metaDisk = resource.metaDisk
        nodes = resource.hosts.map { node in
            Node(name: node.name, address: context.spec.drbdAddress(of: node) ?? "", port: resource.port)
        }
    }
}
