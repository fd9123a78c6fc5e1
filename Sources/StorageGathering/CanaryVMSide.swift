import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageSystem

#if canImport(Glibc)
import Glibc
#endif

/// One side of one rehearsal on this host (what `storagekit canary-vm --session` serves): the
/// canary VM it started, the image it made, and their removal. Everything it makes is recorded
/// under `/run/storagekit/canary/<id>-<side>/` first, so a session that is killed outright is
/// cleaned up by the next one (`sweep`).
public actor CanaryVMSide {
    public static let runRoot = "/run/storagekit/canary"
    /// The canary image: sparse, raw, never written by the VM (it never boots an OS).
    public static let imageBytes = 16 << 20

    let runner: any CommandRunner
    let root: String
    private var directory: String?
    private var connection: QMPConnection?
    private var pid: Int32?
    private var image: String?
    private var account: UserFacts?

    public init(runner: any CommandRunner = SubprocessRunner(), root: String = "") {
        self.runner = runner
        self.root = root
    }

    public func handle(_ request: CanaryVMRequest) async -> CanaryVMReply {
        let started = ContinuousClock.now
        var reply: CanaryVMReply
        do {
            switch request.action {
            case .start: reply = try await start(request)
            case .incoming: reply = try await incoming(request)
            case .migrate: reply = try await migrate(request)
            case .takeOver: reply = try await takeOver(request)
            case .end: reply = await end()
            }
        } catch {
            reply = CanaryVMReply(ok: false, error: error.description)
            reply.account = accountText
        }
        reply.elapsedMs = (ContinuousClock.now - started).milliseconds
        return reply
    }

    // MARK: Actions

    func start(_ request: CanaryVMRequest) async throws(SideError) -> CanaryVMReply {
        guard let storage = request.storage else { throw SideError("start needs the storage") }
        try await prepare(request, side: "source", storage: storage)
        let disk = storage.canaryDisk(id: request.id)
        if storage.isDirectory {
            // Recorded first (a killed session's image is found by the next one), and this
            // session's to remove once made.
            try record("image", disk)
            let made = try await run(CanaryVMArguments.asAccount(account, ["truncate", "-s", String(Self.imageBytes), disk]))
            guard made.succeeded else { throw SideError("cannot create the canary image \(disk) as \(accountText): \(Self.said(made))") }
            image = disk
        }
        try await launch(disk: disk, readOnly: !storage.isDirectory, machine: "q35", incoming: nil)
        var reply = CanaryVMReply(ok: true)
        reply.account = accountText
        reply.machine = try concreteMachine()
        if request.live == true { try qmp("cont") }
        reply.status = try runState()
        return reply
    }

    func incoming(_ request: CanaryVMRequest) async throws(SideError) -> CanaryVMReply {
        guard let storage = request.storage, let listen = request.listen, let machine = request.machine else {
            throw SideError("incoming needs the storage, the address and the machine type")
        }
        try await prepare(request, side: "destination", storage: storage)
        let disk = storage.canaryDisk(id: request.id)
        var lastBusy = ""
        for port in FirewallPolicy.libvirtPorts.migrationFirst...FirewallPolicy.libvirtPorts.migrationLast where Self.canListen(listen, port) {
            do {
                try await launch(disk: disk, readOnly: !storage.isDirectory, machine: machine, incoming: "tcp:\(listen):\(port)")
            } catch let error where error.description.contains("Address already in use") {
                lastBusy = error.description
                continue
            }
            var reply = CanaryVMReply(ok: true)
            reply.account = accountText
            reply.port = port
            reply.status = try runState()
            return reply
        }
        throw SideError(lastBusy.isEmpty
            ? "no port of libvirt's migration range \(FirewallPolicy.libvirtPorts.migrationFirst)-\(FirewallPolicy.libvirtPorts.migrationLast) is free on \(listen)"
            : lastBusy)
    }

    func migrate(_ request: CanaryVMRequest) async throws(SideError) -> CanaryVMReply {
        guard let uri = request.uri else { throw SideError("migrate needs the destination's uri") }
        try qmp("migrate", ["uri": uri])
        let deadline = ContinuousClock.now + .milliseconds(request.timeoutMs)
        var status = "setup"
        var failure: String?
        while ContinuousClock.now < deadline {
            // Between looks the actor is free: an interrupted session's `end` runs at once.
            guard connection != nil else { throw SideError("the rehearsal was interrupted") }
            let info = try qmp("query-migrate") as? [String: Any] ?? [:]
            status = info["status"] as? String ?? status
            if ["completed", "failed", "cancelled"].contains(status) {
                failure = info["error-desc"] as? String
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        var reply = CanaryVMReply(ok: status == "completed")
        reply.migration = status
        if !reply.ok {
            if !["failed", "cancelled"].contains(status) {
                _ = try? qmp("migrate_cancel")
                reply.error = "the migration was still `\(status)` after \(request.timeoutMs / 1000) s (\(uri))"
            } else {
                reply.error = failure ?? "qemu reported the migration \(status)"
            }
        }
        reply.status = try? runState()
        return reply
    }

    func takeOver(_ request: CanaryVMRequest) async throws(SideError) -> CanaryVMReply {
        var reply = CanaryVMReply(ok: true)
        // The source says `completed` once it has sent everything; the destination is still
        // loading it (`inmigrate`) for a moment, and a `cont` then only takes effect later.
        let deadline = ContinuousClock.now + .milliseconds(request.timeoutMs)
        var state = try runState()
        while state == "inmigrate" && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            state = try runState()
        }
        guard state != "inmigrate" else {
            reply.ok = false
            reply.error = "the destination was still receiving the VM after \(request.timeoutMs / 1000) s"
            reply.status = state
            return reply
        }
        do { try qmp("cont") } catch {
            reply.ok = false
            reply.error = "the destination could not resume the VM: \(error.description)"
        }
        reply.status = try runState()
        let devices = try qmp("query-block") as? [[String: Any]] ?? []
        if let inserted = devices.lazy.compactMap({ $0["inserted"] as? [String: Any] }).first {
            reply.disk = inserted["file"] as? String
            reply.readOnly = inserted["ro"] as? Bool
        }
        return reply
    }

    /// Stops the VM (quit, then SIGKILL if it lingers) and removes the image and the run
    /// directory; whatever is still there is named in `leftBehind`.
    public func end() async -> CanaryVMReply {
        var left: [String] = []
        if let connection { _ = try? connection.execute("quit", within: .seconds(2)) }
        connection = nil
        if let pid, let directory, !Self.stop(pid: pid, ownedBy: directory) { left.append("qemu pid \(pid)") }
        pid = nil
        if let image {
            // As the account that made it first (root may be nobody on the export), then as root.
            var removed = false
            for argv in [CanaryVMArguments.asAccount(account, ["rm", "-f", "--", image]), ["rm", "-f", "--", image]] where !removed {
                removed = (try? await run(argv))?.succeeded == true && !FileManager.default.fileExists(atPath: root + image)
            }
            if !removed { left.append(image) }
        }
        image = nil
        if let directory { try? FileManager.default.removeItem(atPath: root + directory) }
        directory = nil
        var reply = CanaryVMReply(ok: left.isEmpty, error: left.isEmpty ? nil : "could not remove: \(left.joined(separator: ", "))")
        reply.leftBehind = left
        return reply
    }

    // MARK: Pieces

    private var accountText: String { account?.description ?? "root" }

    /// The run directory (owned by qemu's account, which writes its socket there), the owner
    /// record, and the account: qemu's own for an image in a shared directory (what root_squash
    /// and the directory's permissions judge), root for a block device (libvirt gives qemu the
    /// device when a guest starts; what the device can fail on is its path and identity).
    private func prepare(_ request: CanaryVMRequest, side: String, storage: RehearsalStorage) async throws(SideError) {
        guard directory == nil else { throw SideError("this session already runs a canary VM") }
        await Self.sweep(runner: runner, root: root)
        account = nil
        if storage.isDirectory {
            guard let user = await QemuAccount.lookup(runner) else { throw SideError(UserFacts.qemuAccountMissing) }
            account = user
        }
        let path = "\(Self.runRoot)/\(request.id)-\(side)"
        // Made under a name of its own, with its owner inside, then renamed: another session's
        // sweep never sees it without an owner (it took one mid-way for abandoned and removed it).
        let staging = "\(Self.runRoot)/.\(getpid())-\(request.id)-\(side)"
        do {
            try FileManager.default.createDirectory(atPath: root + Self.runRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            // qemu's account must reach its own directory inside.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + Self.runRoot)
            try FileManager.default.createDirectory(atPath: root + staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            if let account { _ = chown(root + staging, uid_t(account.uid), gid_t(account.gid)) }
            try Data(String(getpid()).utf8).write(to: URL(fileURLWithPath: root + staging + "/owner"))
            try FileManager.default.moveItem(atPath: root + staging, toPath: root + path)
        } catch {
            try? FileManager.default.removeItem(atPath: root + staging)
            throw SideError("cannot create \(path): \(error.localizedDescription)")
        }
        directory = path
        if let account { try record("account", "\(account.uid):\(account.gid)") }
    }

    private func launch(disk: String, readOnly: Bool, machine: String, incoming: String?) async throws(SideError) {
        guard let directory else { throw SideError("no run directory") }
        let emulator = FileManager.default.isExecutableFile(atPath: root + "/usr/libexec/qemu-kvm") ? "/usr/libexec/qemu-kvm" : "qemu-system-x86_64"
        let arguments = CanaryVMArguments(emulator: emulator, directory: directory, disk: disk, readOnly: readOnly, machine: machine, incoming: incoming, account: account)
        let result = try await run(arguments.argv)
        guard result.succeeded else { throw SideError(Self.said(result)) }
        guard let text = try? String(contentsOfFile: root + arguments.pidFile, encoding: .utf8), let number = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SideError("qemu started but wrote no pid file \(arguments.pidFile)")
        }
        pid = number
        do { connection = try QMPConnection(socket: root + arguments.socket) } catch { throw SideError(error.description) }
    }

    private func run(_ argv: [String]) async throws(SideError) -> CommandResult {
        do { return try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30))) } catch {
            throw SideError(error.description)
        }
    }

    @discardableResult
    private func qmp(_ command: String, _ arguments: [String: Any]? = nil) throws(SideError) -> Any {
        guard let connection else { throw SideError("no canary VM runs in this session") }
        do { return try connection.execute(command, arguments) } catch { throw SideError(error.description) }
    }

    private func runState() throws(SideError) -> String {
        (try qmp("query-status") as? [String: Any])?["status"] as? String ?? "unknown"
    }

    /// The machine type `q35` stands for on this host (`pc-q35-7.2`): a guest's definition
    /// holds the concrete one, and the destination must know it.
    private func concreteMachine() throws(SideError) -> String {
        let machines = try qmp("query-machines") as? [[String: Any]] ?? []
        return machines.first { $0["alias"] as? String == "q35" }?["name"] as? String ?? "q35"
    }

    private func record(_ name: String, _ value: String) throws(SideError) {
        guard let directory else { throw SideError("no run directory") }
        guard FileManager.default.createFile(atPath: root + directory + "/" + name, contents: Data(value.utf8)) else {
            throw SideError("cannot write \(directory)/\(name)")
        }
    }

    static func said(_ result: CommandResult) -> String {
        let text = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "`\(result.command.description)` exited \(result.exitCode.map(String.init) ?? "on a signal")" : text
    }

    /// A TCP port nothing listens on at `address` (qemu would fail on it with "Address already
    /// in use"; a port in TIME_WAIT is fine, as it is for qemu). Any other refusal (an address
    /// that is not this host's) is left to qemu, whose error says so.
    static func canListen(_ address: String, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else { return true }
        let bound = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0 || errno != EADDRINUSE
    }

    /// Ends qemu `pid` if it is still the one started in `directory` (its command line names
    /// that directory: a reused pid is left alone); true once it is gone.
    static func stop(pid: Int32, ownedBy directory: String) -> Bool {
        for attempt in 0..<60 {
            guard isRunning(pid), let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                cmdline.contains(directory) else { return true }
            if attempt == 30 { kill(pid, SIGKILL) }
            usleep(50_000)
        }
        return !isRunning(pid)
    }

    /// Alive and not a zombie (a daemonized qemu's reaper may be slow to collect it).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Removes what sessions that no longer run left behind: their VM, their image, their run
    /// directory. Directories of sessions still running are theirs.
    public static func sweep(runner: any CommandRunner, root: String = "") async {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root + runRoot) else { return }
        for name in names {
            // A directory still being made (`prepare`) belongs to the live session its name starts with.
            if name.hasPrefix("."), let pid = Int32(name.dropFirst().prefix { $0 != "-" }), isRunning(pid) { continue }
            let directory = "\(runRoot)/\(name)"
            let owner = (try? String(contentsOfFile: root + directory + "/owner", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let owner, isRunning(owner) { continue }
            if let text = try? String(contentsOfFile: root + directory + "/qemu.pid", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                _ = stop(pid: pid, ownedBy: directory)
            }
            if let image = try? String(contentsOfFile: root + directory + "/image", encoding: .utf8), image.contains("storagekit-canary-") {
                let owner = (try? String(contentsOfFile: root + directory + "/account", encoding: .utf8))?.split(separator: ":").compactMap { Int($0) }
                let account = owner.flatMap { $0.count == 2 ? UserFacts(name: "", uid: $0[0], gid: $0[1]) : nil }
                let argv = CanaryVMArguments.asAccount(account, ["rm", "-f", "--", image])
                _ = try? await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(10)))
            }
            try? FileManager.default.removeItem(atPath: root + directory)
        }
    }
}

/// What went wrong on this side, in words for the report.
struct SideError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
