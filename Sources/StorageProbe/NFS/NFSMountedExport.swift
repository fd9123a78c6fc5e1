import CLibNFS
import Foundation

/// One export mounted with libnfs, for blocking file operations under one deadline. Owns its
/// context: used by one thread only.
final class NFSMountedExport {
    let context: NFSContext
    let server: String
    let export: String
    let deadline: ContinuousClock.Instant
    let completion = NFSCompletion()
    var nfs: OpaquePointer { context.context }

    /// Mounts `export`; a client the server refuses gets `.mountDenied`.
    /// - Parameter identity: the uid and gid to send (AUTH_UNIX) instead of this process's.
    init(server: String, export: String, deadline: ContinuousClock.Instant, identity: NFSIdentity? = nil) throws(ProbeError) {
        context = try NFSContext()
        if let identity {
            nfs_set_uid(context.context, Int32(identity.uid))
            nfs_set_gid(context.context, Int32(identity.gid))
        }
        context.keepAlive.append(completion)
        self.server = server
        self.export = export
        self.deadline = deadline
        completion.reset()
        try step("mount \(export)") { nfs_mount_async(nfs, server, export, NFSCompletion.nfsCallback, completion.pointer) }
        if let error = completion.error {
            if error.contains("MNT3ERR_ACCES") || error.contains("Permission denied") { throw .mountDenied(server: server, export: export) }
            throw .nfs(server: server, step: "mount \(export)", message: error)
        }
    }

    /// Starts one async call and services the context until it completes; the call's own
    /// failure is left in `completion.error` for the caller to word.
    func step(_ what: String, _ start: () -> Int32) throws(ProbeError) {
        guard start() == 0 else { throw .nfs(server: server, step: what, message: nfs_get_error(nfs).map { String(cString: $0) } ?? "") }
        try serviceUntilDone(
            completion, server: server, step: what, deadline: deadline,
            fd: { nfs_get_fd(nfs) }, events: { nfs_which_events(nfs) }, service: { nfs_service(nfs, $0) },
            error: { nfs_get_error(nfs).map { String(cString: $0) } ?? "unknown error" })
    }

    /// Creates `name` (a path from the export root, `/x`) with `bytes`; nil on success, else why not.
    func write(_ name: String, _ bytes: [UInt8]) throws(ProbeError) -> String? {
        var handle: OpaquePointer?
        completion.reset { _, data in handle = OpaquePointer(data) }
        try step("create \(name)") { nfs_creat_async(nfs, name, 0o644, NFSCompletion.nfsCallback, completion.pointer) }
        guard completion.error == nil, let writer = handle else { return "create: \(completion.error ?? "failed")" }
        completion.reset()
        try step("write \(name)") { bytes.withUnsafeBytes { nfs_write_async(nfs, writer, UInt64(bytes.count), $0.baseAddress, NFSCompletion.nfsCallback, completion.pointer) } }
        let writeError = completion.error
        completion.reset()
        try step("close \(name)") { nfs_close_async(nfs, writer, NFSCompletion.nfsCallback, completion.pointer) }
        return writeError.map { "write: \($0)" }
    }

    /// Up to `limit` bytes of `name`, or why they could not be read.
    func read(_ name: String, limit: Int = 4096) throws(ProbeError) -> Result<[UInt8], ReadFailure> {
        var handle: OpaquePointer?
        completion.reset { _, data in handle = OpaquePointer(data) }
        try step("open \(name)") { nfs_open_async(nfs, name, O_RDONLY, NFSCompletion.nfsCallback, completion.pointer) }
        guard completion.error == nil, let reader = handle else { return .failure(ReadFailure(message: "open: \(completion.error ?? "failed")")) }
        var bytes: [UInt8] = []
        completion.reset { count, data in
            if let data, count > 0 { bytes = Array(UnsafeRawBufferPointer(start: data, count: Int(count))) }
        }
        try step("read \(name)") { nfs_pread_async(nfs, reader, 0, UInt64(limit), NFSCompletion.nfsCallback, completion.pointer) }
        let readError = completion.error
        completion.reset()
        try step("close \(name)") { nfs_close_async(nfs, reader, NFSCompletion.nfsCallback, completion.pointer) }
        if let readError { return .failure(ReadFailure(message: "read: \(readError)")) }
        return .success(bytes)
    }

    struct ReadFailure: Error {
        var message: String
    }

    /// Removes `name`; nil on success, else why not.
    func remove(_ name: String) throws(ProbeError) -> String? {
        completion.reset()
        try step("remove \(name)") { nfs_unlink_async(nfs, name, NFSCompletion.nfsCallback, completion.pointer) }
        return completion.error
    }

    /// Owner, group and permission bits of `path` as the server reports them.
    func owner(_ path: String = "/") throws(ProbeError) -> (uid: Int, gid: Int, mode: Int)? {
        var owner: (uid: Int, gid: Int, mode: Int)?
        completion.reset { _, data in
            if let stat = data?.assumingMemoryBound(to: nfs_stat_64.self).pointee {
                owner = (Int(stat.nfs_uid), Int(stat.nfs_gid), Int(stat.nfs_mode & 0o7777))
            }
        }
        try step("stat \(path)") { nfs_stat64_async(nfs, path, NFSCompletion.nfsCallback, completion.pointer) }
        return owner
    }
}

/// File operations on one export, for checks that span hosts: one host writes a file and keeps
/// it, the others read it back, then the writer removes it.
public struct NFSExportRequest: Sendable {
    public var server: String
    public var export: String
    /// Create this file (a path from the export root) with this content, and leave it.
    public var write: (path: String, content: String)?
    public var read: [String]
    public var remove: [String]
    public var timeout: Duration
    /// Act as this uid and gid (qemu's account on an export that squashes root), not as root.
    public var identity: NFSIdentity?

    public init(server: String, export: String, write: (path: String, content: String)? = nil, read: [String] = [], remove: [String] = [], timeout: Duration = .seconds(5), identity: NFSIdentity? = nil) {
        self.identity = identity
        self.server = server
        self.export = export
        self.write = write
        self.read = read
        self.remove = remove
        self.timeout = timeout
    }
}

public struct NFSExportResult: Sendable, Codable, Equatable {
    public struct FileOutcome: Sendable, Codable, Equatable {
        public var path: String
        /// What was read (for reads); nil with `error` when the step failed.
        public var content: String?
        public var error: String?
    }

    public var export: String
    public var rootUID: Int?
    public var rootGID: Int?
    public var rootMode: Int?
    public var wrote: FileOutcome?
    public var reads: [FileOutcome]
    public var removals: [FileOutcome]
}

extension NFSProber {
    /// Mounts the export (thrown errors: refused, timed out, denied), reports the owner of its
    /// root, then writes, reads and removes as asked; per-file failures are in the result.
    public static func export(_ request: NFSExportRequest) async throws(ProbeError) -> NFSExportResult {
        try await onOwnThread { () throws(ProbeError) in try exportBlocking(request) }
    }

    static func exportBlocking(_ request: NFSExportRequest) throws(ProbeError) -> NFSExportResult {
        let deadline = ContinuousClock.now + request.timeout
        let mounted = try NFSMountedExport(server: request.server, export: request.export, deadline: deadline, identity: request.identity)
        let owner = try mounted.owner()
        var result = NFSExportResult(export: request.export, rootUID: owner?.uid, rootGID: owner?.gid, rootMode: owner?.mode, wrote: nil, reads: [], removals: [])
        if let write = request.write {
            let error = try mounted.write(write.path, Array(write.content.utf8))
            result.wrote = .init(path: write.path, content: nil, error: error)
        }
        for path in request.read {
            switch try mounted.read(path) {
            case .success(let bytes): result.reads.append(.init(path: path, content: String(decoding: bytes, as: UTF8.self), error: nil))
            case .failure(let failure): result.reads.append(.init(path: path, content: nil, error: failure.message))
            }
        }
        for path in request.remove {
            result.removals.append(.init(path: path, content: nil, error: try mounted.remove(path)))
        }
        return result
    }
}

/// The AUTH_UNIX credentials a probe sends.
public struct NFSIdentity: Sendable, Equatable {
    public var uid: Int
    public var gid: Int

    public init(uid: Int, gid: Int) {
        self.uid = uid
        self.gid = gid
    }
}
