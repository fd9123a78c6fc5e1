import CLibNFS

/// Owns one libnfs context; not thread-safe, so not Sendable: one per owner.
public final class NFSContext {
    let context: OpaquePointer
    /// Completions whose pointers libnfs holds: destroying the context calls every pending
    /// callback (cancelled), so they must outlive it (a probe that timed out left calls pending
    /// and crashed here once its completion was gone).
    var keepAlive: [AnyObject] = []

    public init(timeoutMilliseconds: Int32 = 5000) throws(ProbeError) {
        guard let context = nfs_init_context() else { throw .contextUnavailable(library: "libnfs") }
        self.context = context
        nfs_set_autoreconnect(context, 0)
        nfs_set_timeout(context, timeoutMilliseconds)
    }

    deinit {
        nfs_destroy_context(context)
    }

    public var timeoutMilliseconds: Int { Int(nfs_get_timeout(context)) }

    /// Parses `nfs://server/export/path/file` with libnfs's own parser.
    public func parseURL(_ url: String) throws(ProbeError) -> NFSURL {
        guard let parsed = nfs_parse_url_full(context, url) else {
            throw .invalidURL(url, reason: nfs_get_error(context).map { String(cString: $0) } ?? "unknown error")
        }
        defer { nfs_destroy_url(parsed) }
        let fields = parsed.pointee
        return NFSURL(
            server: fields.server.map { String(cString: $0) } ?? "",
            path: fields.path.map { String(cString: $0) } ?? "",
            file: fields.file.map { String(cString: $0) } ?? "")
    }
}

public struct NFSURL: Sendable, Equatable {
    public var server: String
    public var path: String
    public var file: String
}
