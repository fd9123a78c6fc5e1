import StorageModel

/// The comment block at the top of every whole file storagekit writes.
struct FileHeader: Sendable {
    let purpose: String
    let cluster: String
    let host: String

    init(_ purpose: String, _ context: RenderContext) {
        self.purpose = purpose
        self.cluster = context.spec.cluster
        self.host = context.host.name
    }
}

/// What every file renderer needs: the spec, the host being rendered, and the secrets read for it.
public struct RenderContext: Sendable {
    public let spec: ClusterSpec
    public let host: Host
    /// CHAP secrets by secret file path, read by the caller (the render layer never touches disk).
    public let secrets: [String: String]

    public init(spec: ClusterSpec, host: Host, secrets: [String: String] = [:]) {
        self.spec = spec
        self.host = host
        self.secrets = secrets
    }

    public var os: OSFamily { spec.osFamily(of: host) }
}
