import CLibNFS
import Foundation
import StorageFacts

public struct NFSProbeRequest: Sendable {
    public var server: String
    /// Export to mount for the canary (default: the first one listed).
    public var export: String?
    public var canary: Bool
    public var timeout: Duration

    public init(server: String, export: String? = nil, canary: Bool = false, timeout: Duration = .seconds(5)) {
        self.server = server
        self.export = export
        self.canary = canary
        self.timeout = timeout
    }
}

public struct CanaryResult: Sendable, Equatable, Codable {
    public var ok: Bool
    public var path: String
    public var error: String?
    /// Owner and mode of the export's root, as the server reports them.
    public var uid: Int?
    public var gid: Int?
    public var mode: String?
}

public struct NFSProbeResult: Sendable, Codable {
    public var server: String
    public var rpc: [RPCRegistration]
    public var exports: [ExportListing]
    public var canary: CanaryResult?
    public var timingsMs: [String: Double]
}

/// Protocol-level NFS probe with libnfs (4.0's API): portmapper dump (what `rpcinfo -p`
/// shows), MOUNT export list (what `showmount -e` shows, with our own deadline: showmount can
/// hang for minutes on a filtered mountd), and a canary written, read back and removed.
public enum NFSProber {
    static let programNames = [100000: "portmapper", 100003: "nfs", 100005: "mountd", 100021: "nlockmgr", 100024: "status", 100011: "rquotad", 100227: "nfs_acl"]

    public static func probe(_ request: NFSProbeRequest) async throws(ProbeError) -> NFSProbeResult {
        try await onOwnThread { () throws(ProbeError) in try probeBlocking(request) }
    }

    static func probeBlocking(_ request: NFSProbeRequest) throws(ProbeError) -> NFSProbeResult {
        let deadline = ContinuousClock.now + request.timeout
        let server = request.server
        var timings: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws(ProbeError) -> T) throws(ProbeError) -> T {
            let start = ContinuousClock.now
            defer {
                let elapsed = ContinuousClock.now - start
                timings[name] = elapsed.milliseconds
            }
            return try body()
        }
        try timed("tcp") { () throws(ProbeError) in try TCPProbe.require(server, port: 111, timeout: deadline - ContinuousClock.now, step: "TCP connect to rpcbind") }
        let rpc = try timed("portmapper dump") { () throws(ProbeError) in try portmapperDump(server, deadline) }
        let exports = try timed("export list") { () throws(ProbeError) in try exportList(server, deadline) }
        var canary: CanaryResult?
        if request.canary {
            guard let export = request.export ?? exports.first?.path else {
                throw .nfs(server: server, step: "canary", message: "the server exports nothing to mount")
            }
            canary = try timed("canary") { () throws(ProbeError) in try writeCanary(server, export, deadline) }
        }
        return NFSProbeResult(server: server, rpc: rpc, exports: exports, canary: canary, timingsMs: timings)
    }

    /// A fresh RPC context, closed when `body` returns.
    static func withRPC<T>(_ server: String, _ body: (OpaquePointer, NFSCompletion) throws(ProbeError) -> T) throws(ProbeError) -> T {
        guard let rpc = rpc_init_context() else { throw .contextUnavailable(library: "libnfs") }
        let completion = NFSCompletion()
        // Destroying the context calls a pending call's callback (cancelled, e.g. after a
        // timeout): the completion it points at must still be there.
        defer { withExtendedLifetime(completion) { rpc_destroy_context(rpc) } }
        return try body(rpc, completion)
    }

    static func wait(_ rpc: OpaquePointer, _ completion: NFSCompletion, _ server: String, _ step: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) {
        try serviceUntilDone(
            completion, server: server, step: step, deadline: deadline,
            fd: { rpc_get_fd(rpc) }, events: { rpc_which_events(rpc) }, service: { rpc_service(rpc, $0) },
            error: { rpc_get_error(rpc).map { String(cString: $0) } ?? "unknown error" })
        if let error = completion.error { throw .nfs(server: server, step: step, message: error) }
    }

    static func portmapperDump(_ server: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> [RPCRegistration] {
        try withRPC(server) { rpc, completion throws(ProbeError) in
            completion.reset()
            guard rpc_connect_async(rpc, server, 111, NFSCompletion.rpcCallback, completion.pointer) == 0 else {
                throw .nfs(server: server, step: "connect to rpcbind", message: rpc_get_error(rpc).map { String(cString: $0) } ?? "")
            }
            try wait(rpc, completion, server, "connect to rpcbind", deadline)
            var programs: [RPCRegistration] = []
            completion.reset { _, data in
                var entry = data?.assumingMemoryBound(to: pmap2_dump_result.self).pointee.list
                while let current = entry {
                    let map = current.pointee.map
                    programs.append(RPCRegistration(
                        program: Int(map.prog), version: Int(map.vers),
                        protocol: map.prot == 6 ? "tcp" : map.prot == 17 ? "udp" : "\(map.prot)", port: Int(map.port), service: programNames[Int(map.prog)]))
                    entry = current.pointee.next
                }
            }
            guard rpc_pmap2_dump_async(rpc, NFSCompletion.rpcCallback, completion.pointer) == 0 else {
                throw .nfs(server: server, step: "portmapper dump", message: rpc_get_error(rpc).map { String(cString: $0) } ?? "")
            }
            try wait(rpc, completion, server, "portmapper dump", deadline)
            return programs
        }
    }

    static func exportList(_ server: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> [ExportListing] {
        try withRPC(server) { rpc, completion throws(ProbeError) in
            var listed: [ExportListing] = []
            completion.reset { _, data in
                // data points at an `exports`, itself a pointer to the first exportnode.
                var node = data?.assumingMemoryBound(to: UnsafeMutablePointer<exportnode>?.self).pointee
                while let current = node {
                    var clients: [String] = []
                    var group = current.pointee.ex_groups
                    while let g = group {
                        if let name = g.pointee.gr_name { clients.append(String(cString: name)) }
                        group = g.pointee.gr_next
                    }
                    listed.append(ExportListing(path: current.pointee.ex_dir.map { String(cString: $0) } ?? "", clients: clients))
                    node = current.pointee.ex_next
                }
            }
            guard mount_getexports_async(rpc, server, NFSCompletion.rpcCallback, completion.pointer) == 0 else {
                throw .nfs(server: server, step: "export list", message: rpc_get_error(rpc).map { String(cString: $0) } ?? "")
            }
            try wait(rpc, completion, server, "export list (MOUNT EXPORT)", deadline)
            return listed
        }
    }

    /// Writes a file, reads it back and removes it, with the owner and mode of the export root.
    static func writeCanary(_ server: String, _ export: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> CanaryResult {
        let mounted = try NFSMountedExport(server: server, export: export, deadline: deadline)
        let name = "/.storagekit-canary-\(UUID().uuidString.prefix(8))"
        let bytes = Array("storagekit canary \(UUID().uuidString)\n".utf8)
        if let error = try mounted.write(name, bytes) { return CanaryResult(ok: false, path: export + name, error: error) }
        let readBack = try mounted.read(name)
        let owner = try mounted.owner()
        let removeError = try mounted.remove(name)
        var error: String?
        switch readBack {
        case .failure(let failure): error = failure.message
        case .success(let got) where got != bytes: error = "read back \(got.count) byte(s) that differ from the \(bytes.count) written"
        default: if let removeError { error = "could not remove it: \(removeError)" }
        }
        return CanaryResult(
            ok: error == nil, path: export + name, error: error,
            uid: owner?.uid, gid: owner?.gid, mode: owner.map { String($0.mode, radix: 8) })
    }
}

extension NFSProber {
    /// Only the portmapper dump (what `rpcinfo -p` shows), after a TCP connect to rpcbind.
    public static func rpcPrograms(server: String, timeout: Duration) async throws(ProbeError) -> [RPCRegistration] {
        try await onOwnThread { () throws(ProbeError) in
            let deadline = ContinuousClock.now + timeout
            try TCPProbe.require(server, port: 111, timeout: timeout, step: "TCP connect to rpcbind")
            return try portmapperDump(server, deadline)
        }
    }

    /// Only the MOUNT export list (what `showmount -e` shows).
    public static func exportList(server: String, timeout: Duration) async throws(ProbeError) -> [ExportListing] {
        try await onOwnThread { () throws(ProbeError) in try exportList(server, ContinuousClock.now + timeout) }
    }
}
