import CLibNFS
import Foundation

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

public struct RPCProgram: Sendable, Equatable, Codable {
    public var program: Int
    public var name: String
    public var version: Int
    public var `protocol`: String
    public var port: Int
}

public struct ExportedPath: Sendable, Equatable, Codable {
    public var path: String
    public var clients: [String]
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
    public var rpc: [RPCProgram]
    public var exports: [ExportedPath]
    public var canary: CanaryResult?
    public var timingsMs: [String: Double]
}

/// Protocol-level NFS probe with libnfs (4.0's API): portmapper dump (what `rpcinfo -p`
/// shows), MOUNT export list (what `showmount -e` shows, with our own deadline: showmount can
/// hang for minutes on a filtered mountd), and a canary written, read back and removed.
public enum NFSProber {
    static let programNames = [100000: "portmapper", 100003: "nfs", 100005: "mountd", 100021: "nlockmgr", 100024: "status", 100011: "rquotad", 100227: "nfs_acl"]

    public static func probe(_ request: NFSProbeRequest) async throws(ProbeError) -> NFSProbeResult {
        let outcome: Result<NFSProbeResult, ProbeError> = await withCheckedContinuation { continuation in
            Thread {
                do { continuation.resume(returning: .success(try probeBlocking(request))) } catch let error as ProbeError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(.nfs(server: request.server, step: "probe", message: "\(error)")))
                }
            }.start()
        }
        return try outcome.get()
    }

    static func probeBlocking(_ request: NFSProbeRequest) throws(ProbeError) -> NFSProbeResult {
        let deadline = ContinuousClock.now + request.timeout
        let server = request.server
        var timings: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws(ProbeError) -> T) throws(ProbeError) -> T {
            let start = ContinuousClock.now
            defer {
                let elapsed = ContinuousClock.now - start
                timings[name] = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            }
            return try body()
        }
        switch try timed("tcp", { () throws(ProbeError) in TCPProbe.connect(server, port: 111, timeout: max(deadline - ContinuousClock.now, .milliseconds(1))) }) {
        case .open: break
        case .refused: throw .connectionRefused(portal: "\(server):111")
        case .timeout: throw .timeout(portal: "\(server):111", step: "TCP connect to rpcbind")
        case .unreachable(let reason): throw .unreachable(portal: "\(server):111", reason: reason)
        }
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
        defer { rpc_destroy_context(rpc) }
        return try body(rpc, NFSCompletion())
    }

    static func wait(_ rpc: OpaquePointer, _ completion: NFSCompletion, _ server: String, _ step: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) {
        try serviceUntilDone(
            completion, server: server, step: step, deadline: deadline,
            fd: { rpc_get_fd(rpc) }, events: { rpc_which_events(rpc) }, service: { rpc_service(rpc, $0) },
            error: { rpc_get_error(rpc).map { String(cString: $0) } ?? "unknown error" })
        if let error = completion.error { throw .nfs(server: server, step: step, message: error) }
    }

    static func portmapperDump(_ server: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> [RPCProgram] {
        try withRPC(server) { rpc, completion throws(ProbeError) in
            completion.reset()
            guard rpc_connect_async(rpc, server, 111, NFSCompletion.rpcCallback, completion.pointer) == 0 else {
                throw .nfs(server: server, step: "connect to rpcbind", message: rpc_get_error(rpc).map { String(cString: $0) } ?? "")
            }
            try wait(rpc, completion, server, "connect to rpcbind", deadline)
            var programs: [RPCProgram] = []
            completion.reset { _, data in
                var entry = data?.assumingMemoryBound(to: pmap2_dump_result.self).pointee.list
                while let current = entry {
                    let map = current.pointee.map
                    programs.append(RPCProgram(
                        program: Int(map.prog), name: programNames[Int(map.prog)] ?? "", version: Int(map.vers),
                        protocol: map.prot == 6 ? "tcp" : map.prot == 17 ? "udp" : "\(map.prot)", port: Int(map.port)))
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

    static func exportList(_ server: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> [ExportedPath] {
        try withRPC(server) { rpc, completion throws(ProbeError) in
            var listed: [ExportedPath] = []
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
                    listed.append(ExportedPath(path: current.pointee.ex_dir.map { String(cString: $0) } ?? "", clients: clients))
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

    static func writeCanary(_ server: String, _ export: String, _ deadline: ContinuousClock.Instant) throws(ProbeError) -> CanaryResult {
        let context = try NFSContext()
        let nfs = context.context
        let completion = NFSCompletion()
        let name = "/.storagekit-canary-\(UUID().uuidString.prefix(8))"
        func step(_ what: String, _ start: () -> Int32) throws(ProbeError) {
            guard start() == 0 else { throw .nfs(server: server, step: what, message: nfs_get_error(nfs).map { String(cString: $0) } ?? "") }
            try serviceUntilDone(
                completion, server: server, step: what, deadline: deadline,
                fd: { nfs_get_fd(nfs) }, events: { nfs_which_events(nfs) }, service: { nfs_service(nfs, $0) },
                error: { nfs_get_error(nfs).map { String(cString: $0) } ?? "unknown error" })
        }
        func failed(_ what: String) -> CanaryResult {
            CanaryResult(ok: false, path: export + name, error: "\(what): \(completion.error ?? "failed")")
        }

        completion.reset()
        try step("mount \(export)") { nfs_mount_async(nfs, server, export, NFSCompletion.nfsCallback, completion.pointer) }
        if let error = completion.error {
            if error.contains("MNT3ERR_ACCES") || error.contains("Permission denied") { throw .mountDenied(server: server, export: export) }
            throw .nfs(server: server, step: "mount \(export)", message: error)
        }

        var handle: OpaquePointer?
        completion.reset { _, data in handle = OpaquePointer(data) }
        try step("create \(name)") { nfs_creat_async(nfs, name, 0o600, NFSCompletion.nfsCallback, completion.pointer) }
        guard completion.error == nil, let writer = handle else { return failed("create") }
        let text = "storagekit canary \(UUID().uuidString)\n"
        let bytes = Array(text.utf8)
        completion.reset()
        try step("write \(name)") { bytes.withUnsafeBytes { nfs_write_async(nfs, writer, UInt64(bytes.count), $0.baseAddress, NFSCompletion.nfsCallback, completion.pointer) } }
        let wrote = completion.error == nil
        completion.reset()
        try step("close \(name)") { nfs_close_async(nfs, writer, NFSCompletion.nfsCallback, completion.pointer) }
        guard wrote else { return failed("write") }

        completion.reset { _, data in handle = OpaquePointer(data) }
        try step("open \(name)") { nfs_open_async(nfs, name, O_RDONLY, NFSCompletion.nfsCallback, completion.pointer) }
        guard completion.error == nil, let reader = handle else { return failed("open") }
        var readBack: [UInt8] = []
        completion.reset { count, data in
            if let data { readBack = Array(UnsafeRawBufferPointer(start: data, count: Int(count))) }
        }
        try step("read \(name)") { nfs_pread_async(nfs, reader, 0, UInt64(bytes.count), NFSCompletion.nfsCallback, completion.pointer) }
        completion.reset()
        try step("close \(name)") { nfs_close_async(nfs, reader, NFSCompletion.nfsCallback, completion.pointer) }

        var owner: (uid: Int, gid: Int, mode: String)?
        completion.reset { _, data in
            if let stat = data?.assumingMemoryBound(to: nfs_stat_64.self).pointee {
                owner = (Int(stat.nfs_uid), Int(stat.nfs_gid), String(stat.nfs_mode & 0o7777, radix: 8))
            }
        }
        try step("stat /") { nfs_stat64_async(nfs, "/", NFSCompletion.nfsCallback, completion.pointer) }
        completion.reset()
        try step("remove \(name)") { nfs_unlink_async(nfs, name, NFSCompletion.nfsCallback, completion.pointer) }
        let removed = completion.error == nil
        let ok = readBack == bytes && removed
        return CanaryResult(
            ok: ok, path: export + name,
            error: ok ? nil : readBack != bytes ? "read back \(readBack.count) byte(s) that differ from the \(bytes.count) written" : "could not remove it: \(completion.error ?? "")",
            uid: owner?.uid, gid: owner?.gid, mode: owner?.mode)
    }
}
