/// A program registered with rpcbind: one row of `rpcinfo -p`, or of the portmapper dump that
/// libnfs makes from a hypervisor.
public struct RPCRegistration: Sendable, Equatable, Codable {
    public var program: Int
    public var version: Int
    /// `tcp` or `udp`.
    public var `protocol`: String
    public var port: Int
    /// rpcinfo's name for it (`mountd`, `nlockmgr`…); nil when it has none, or in a dump.
    public var service: String?

    public init(program: Int, version: Int, protocol: String, port: Int, service: String? = nil) {
        self.program = program
        self.version = version
        self.protocol = `protocol`
        self.port = port
        self.service = service
    }
}

/// Parses `rpcinfo -p HOST` ("program vers proto port service" rows under a header).
public enum RpcinfoParser {
    public static func parse(_ output: String) throws(ToolOutputError) -> [RPCRegistration] {
        var rows: [RPCRegistration] = []
        for (index, raw) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if fields.isEmpty || fields.first == "program" { continue }
            guard fields.count >= 4, let program = Int(fields[0]), let version = Int(fields[1]), let port = Int(fields[3]) else {
                throw ToolOutputError(tool: "rpcinfo -p", line: index + 1, text: String(raw))
            }
            rows.append(RPCRegistration(program: program, version: version, protocol: fields[2], port: port, service: fields.count > 4 ? fields[4] : nil))
        }
        return rows
    }

    /// Ports a service is registered at (by rpcinfo's name: mountd, nlockmgr, rquotad, nfs, status).
    public static func ports(of service: String, in rows: [RPCRegistration], proto: String? = nil) -> Set<Int> {
        Set(rows.filter { $0.service == service && (proto == nil || $0.protocol == proto) }.map(\.port))
    }
}
