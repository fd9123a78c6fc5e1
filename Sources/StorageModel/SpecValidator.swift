/// What validation may learn about a CHAP secret file without reading the secret into the model.
public enum SecretFileStatus: Sendable, Equatable {
    case ok(length: Int)
    case missing
    case unreadable(reason: String)
    /// Mode bits let group or others read it.
    case readableByOthers(mode: UInt16, length: Int)
}

/// Checks a loaded spec and returns every problem at once, each with its field path, line and fix.
/// Pure: anything about the machine (the CHAP secret files) comes in through `secretFile`.
public struct SpecValidator {
    public typealias SecretFileInspector = @Sendable (String) -> SecretFileStatus

    private let secretFile: SecretFileInspector

    public init(secretFile: @escaping SecretFileInspector) {
        self.secretFile = secretFile
    }

    public func validate(_ loaded: LoadedSpec) -> [Diagnostic] {
        var run = ValidationRun(spec: loaded.spec, sink: DiagnosticSink(sourceMap: loaded.sourceMap), secretFile: secretFile)
        run.checkCluster()
        run.checkHosts()
        run.checkNFS()
        run.checkISCSI()
        run.checkDRBD()
        run.checkPorts()
        run.checkExposure()
        run.checkMigrationSettings()
        // In file order, so the list reads top to bottom like the spec (stable within a line).
        return (loaded.diagnostics + run.sink.diagnostics).enumerated()
            .sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }
            .map(\.element)
    }
}

/// One pass of validation; the rules live in extensions, one file per area.
struct ValidationRun {
    let spec: ClusterSpec
    var sink: DiagnosticSink
    let secretFile: SpecValidator.SecretFileInspector

    mutating func error(_ path: String, _ message: String, fix: String? = nil) { sink.error(path, message, fix: fix) }
    mutating func warning(_ path: String, _ message: String, fix: String? = nil) { sink.warning(path, message, fix: fix) }
    mutating func exposure(_ path: String, _ message: String, fix: String) { sink.exposure(path, message, fix: fix) }

    mutating func checkCluster() {
        if !spec.cluster.isEmpty && !Names.isClusterName(spec.cluster) {
            error("cluster", "\"\(spec.cluster)\" must be 1-32 characters of a-z, 0-9 and '-', not starting or ending with '-'",
                fix: "e.g. `cluster: \(Names.slug(spec.cluster))`")
        }
        if !spec.mountPath.isEmpty { checkAbsolutePath(spec.mountPath, at: "mountPath", isMountPoint: true) }
        for (index, network) in spec.networks.enumerated() {
            let path = spec.networks.count == 1 ? "network" : "network[\(index)]"
            guard let parsed = IPv4Network(network) else {
                error(path, "\"\(network)\" is not an IPv4 network in CIDR form", fix: "write it like 10.20.0.0/24")
                continue
            }
            if !parsed.isNetworkAddress {
                error(path, "\"\(network)\" has host bits set", fix: "did you mean \(parsed.networkAddress)/\(parsed.prefix)?")
            }
        }
        if spec.nfs == nil && spec.iscsi == nil && spec.drbd == nil {
            error("", "the spec has none of `nfs:`, `iscsi:` or `drbd:`: there is no shared storage to set up",
                fix: "add an `nfs:`, `iscsi:` or `drbd:` section (see examples/)")
        }
    }

    /// Absolute, normalised, and made only of characters safe in fstab, systemd units and configs.
    mutating func checkAbsolutePath(_ path: String, at field: String, isMountPoint: Bool = false) {
        guard path.hasPrefix("/") else {
            error(field, "\"\(path)\" is not an absolute path", fix: "start it with /, e.g. /\(path)")
            return
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if components.contains("..") || components.contains(".") {
            error(field, "\"\(path)\" contains \".\" or \"..\"", fix: "write the real path without . or .. components")
            return
        }
        if path.count > 1 && (path.hasSuffix("/") || path.contains("//")) {
            error(field, "\"\(path)\" has an empty component or a trailing /", fix: "write it as \(normalised(path))")
            return
        }
        if let bad = path.unicodeScalars.first(where: { !Names.pathCharacters.contains($0) }) {
            error(field, "\"\(path.debugEscaped)\" contains \(bad.debugName), which config files cannot carry safely",
                fix: "use only letters, digits and . _ - + @ / in paths")
            return
        }
        if path.count > 1024 { error(field, "is longer than 1024 characters") }
        if isMountPoint {
            if path == "/" { error(field, "cannot be /", fix: "use a dedicated directory such as /var/lib/vmstore") }
            for system in ["/proc", "/sys", "/dev", "/run", "/boot", "/etc", "/usr", "/bin", "/sbin", "/lib"]
            where path.isSameOrUnder(system) {
                error(field, "\"\(path)\" is under \(system), which the system owns", fix: "use a directory such as /var/lib/vmstore or /srv/vmstore")
            }
        }
    }

    private func normalised(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }
}

extension String {
    var debugEscaped: String {
        unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
    }
}

extension Unicode.Scalar {
    var debugName: String {
        switch self {
        case " ": return "a space"
        case "\n": return "a newline"
        case "\t": return "a tab"
        default: return properties.generalCategory == .control ? "a control character" : "\"\(self)\""
        }
    }
}
