import CLibISCSI

/// Owns one libiscsi context. libiscsi is not thread-safe: one context per owner, never shared
/// (the type is deliberately not Sendable). Protocol probes build on this in a later layer.
public final class ISCSIContext {
    let context: OpaquePointer
    let initiatorName: String
    var targetName: String?
    /// Completions whose pointers libiscsi holds: destroying the context calls every pending
    /// callback (cancelled), so they must outlive it.
    var keepAlive: [AnyObject] = []

    public init(initiatorName: String) throws(ProbeError) {
        guard let context = iscsi_create_context(initiatorName) else { throw .contextUnavailable(library: "libiscsi") }
        self.context = context
        self.initiatorName = initiatorName
        // A probe must fail fast and say so, not reconnect behind our back.
        iscsi_set_noautoreconnect(context, 1)
    }

    deinit {
        iscsi_destroy_context(context)
    }

    /// Parses `iscsi://[user[%password]@]portal[:port]/target-iqn/lun` with libiscsi's own parser.
    public func parseURL(_ url: String) throws(ProbeError) -> ISCSIURL {
        guard let parsed = iscsi_parse_full_url(context, url) else {
            throw .invalidURL(url, reason: String(cString: iscsi_get_error(context)))
        }
        defer { iscsi_destroy_url(parsed) }
        let fields = parsed.pointee
        return ISCSIURL(
            portal: string(fields.portal), target: string(fields.target), lun: Int(fields.lun),
            user: string(fields.user).nilIfEmpty)
    }
}

/// A parsed iSCSI URL (the password is deliberately not kept).
public struct ISCSIURL: Sendable, Equatable {
    public var portal: String
    public var target: String
    public var lun: Int
    public var user: String?
}

/// C fixed-size char arrays import as tuples; read them as NUL-terminated strings.
func string<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
