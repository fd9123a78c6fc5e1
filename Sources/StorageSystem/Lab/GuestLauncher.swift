import Foundation
import StorageModel

#if canImport(Glibc)
import Glibc
#endif

/// Boots the guests of a kernel lab: finds the installed kernel, makes the lab's ssh keys and
/// the shared initramfs once, puts each guest's taps on the lab bridges, starts qemu detached
/// (its pid recorded before anything else happens) and waits until sshd answers inside.
struct GuestLauncher: Sendable {
    let layout: LabLayout
    let spec: ClusterSpec
    let runner: any CommandRunner

    /// The newest /boot/vmlinuz-* whose modules are installed.
    func kernel() throws(SystemError) -> (image: String, version: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/boot")) ?? []
        let versions = names.compactMap { $0.hasPrefix("vmlinuz-") ? String($0.dropFirst(8)) : nil }
            .filter { FileManager.default.fileExists(atPath: "/lib/modules/\($0)/modules.dep") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        guard let version = versions.last else { throw .noKernel("no /boot/vmlinuz-* with its modules in /lib/modules") }
        guard FileManager.default.isReadableFile(atPath: "/boot/vmlinuz-\(version)") else { throw .noKernel("/boot/vmlinuz-\(version) is not readable") }
        return ("/boot/vmlinuz-\(version)", version)
    }

    func requireTools() throws(SystemError) {
        for tool in ["qemu-system-x86_64", "cpio", "ssh-keygen", "ssh"] where Self.which(tool) == nil {
            throw .noKernel("\(tool) is not installed")
        }
        for file in ["/bin/busybox", "/usr/sbin/sshd"] where !FileManager.default.isExecutableFile(atPath: file) {
            throw .noKernel("\(file) is missing")
        }
    }

    /// Keys, sshd_config, known_hosts and the initramfs, unless already made for this lab.
    func prepareFiles(kernelVersion: String) async throws(SystemError) {
        let files = layout.kernelFiles
        try make(files.directory)
        for key in [files.clientKey, files.hostKey] where !FileManager.default.fileExists(atPath: key) {
            try await must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "storagekit-lab-\(layout.cluster)", "-f", key], "making \(key)")
        }
        let hostKey = try read(files.hostKey + ".pub").split(separator: " ").prefix(2).joined(separator: " ")
        let addresses = layout.guests.flatMap { $0.nics.map(\.address) }
        try write(files.knownHosts, addresses.map { "\($0) \(hostKey)" }.joined(separator: "\n") + "\n", mode: 0o644)
        try write(files.authorizedKeys, try read(files.clientKey + ".pub"), mode: 0o644)
        try write(files.sshdConfig, KernelGuest.sshdConfig(files), mode: 0o644)
        if FileManager.default.fileExists(atPath: files.initramfs) { return }

        let tree = files.initramfsTree
        try? FileManager.default.removeItem(atPath: tree)
        for directory in ["bin", "mods", "newroot", "proc", "sys", "dev"] { try make("\(tree)/\(directory)") }
        let depends = try await output(["modprobe", "-S", kernelVersion, "--show-depends", "-a"] + KernelGuest.bootModules, "listing the boot modules of \(kernelVersion)")
        var order: [String] = []
        for file in KernelGuest.moduleFiles(showDepends: depends) {
            var name = (file as NSString).lastPathComponent
            if name.hasSuffix(".xz") || name.hasSuffix(".zst") {
                name = (name as NSString).deletingPathExtension
                let tool = file.hasSuffix(".xz") ? "xz" : "zstd"
                try await must(["sh", "-c", "\(tool) -dc \"$1\" > \"$2\"", "sh", file, "\(tree)/mods/\(name)"], "unpacking \(file)")
            } else {
                try copy(file, "\(tree)/mods/\(name)")
            }
            order.append(name)
        }
        try write("\(tree)/mods/order", order.joined(separator: "\n") + "\n", mode: 0o644)
        try copy("/bin/busybox", "\(tree)/bin/busybox")
        try write("\(tree)/init", KernelGuest.initramfsInit, mode: 0o755)
        try await must(["sh", "-c", "cd \"$1\" && find . | cpio --quiet -o -H newc | gzip -1 > \"$2.new\" && mv \"$2.new\" \"$2\"", "sh", tree, files.initramfs],
            "packing the initramfs")
    }

    /// KVM when a probe boot with it reaches the initramfs's 9p root within 15 s, else TCG;
    /// STORAGEKIT_LAB_ACCEL=tcg or =kvm decides without a probe. (On some VMs a KVM guest
    /// starts and then dies with "KVM internal error" once the kernel runs: only a real boot
    /// tells.) Returns the accelerator and why it was chosen.
    func accelerator(kernel: String) async -> (accel: String, why: String) {
        switch ProcessInfo.processInfo.environment["STORAGEKIT_LAB_ACCEL"] {
        case "tcg": return ("tcg", "STORAGEKIT_LAB_ACCEL=tcg")
        case "kvm": return ("kvm", "STORAGEKIT_LAB_ACCEL=kvm")
        default: break
        }
        guard access("/dev/kvm", R_OK | W_OK) == 0 else { return ("tcg", "no usable /dev/kvm") }
        // One probe per machine and kernel: a failed one costs its whole deadline.
        let cache = (layout.dataDirectory as NSString).deletingLastPathComponent + "/accel-probe"
        if let line = try? String(contentsOfFile: cache, encoding: .utf8), let cached = KernelGuest.cachedAccelerator(line, kernel: kernel, file: cache) { return cached }
        let chosen = await probeKVM(kernel: kernel)
        try? LocalFileSystem().write(cache, contents: KernelGuest.acceleratorCacheLine(kernel: kernel, chosen), mode: 0o644)
        return chosen
    }

    private func probeKVM(kernel: String) async -> (accel: String, why: String) {
        let console = "\(layout.kernelFiles.directory)/kvm-probe.log"
        try? FileManager.default.removeItem(atPath: console)
        let boot = KernelGuest.Boot(kernel: kernel, initramfs: layout.kernelFiles.initramfs, accel: "kvm")
        let argv = KernelGuest.probeArguments(boot: boot, console: console)
        let started = ContinuousClock.now
        let result: CommandResult
        do { result = try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(15))) } catch {
            if error.code == .timedOut { return ("tcg", "the KVM probe boot did not reach its root within 15 s") }
            return ("tcg", "the KVM probe boot did not run: \(error.description)")
        }
        let seconds = (ContinuousClock.now - started).components.seconds
        let log = (try? String(contentsOfFile: console, encoding: .utf8)) ?? ""
        if result.succeeded, log.contains(KernelGuest.probeMarker) { return ("kvm", "a KVM probe boot reached its root in \(seconds) s") }
        let reason = result.succeeded ? "no boot marker on its console" : "qemu exited \(result.exitCode.map(String.init) ?? "by a signal"): "
            + (result.stderr + log).split(separator: "\n").suffix(2).joined(separator: " | ")
        return ("tcg", "the KVM probe boot failed (\(reason))")
    }

    /// Starts `host`'s qemu; returns its pid. `record` runs for each tap before it is made.
    func start(_ host: LabLayout.LabHost, own: [LabOwnDirectory], boot: KernelGuest.Boot, record: (String) throws(SystemError) -> Void) async throws(SystemError) -> Int32 {
        for nic in host.nics {
            if try await !succeeds(["ip", "link", "show", nic.rootName]) {
                try record(nic.rootName)
                try await must(["ip", "tuntap", "add", nic.rootName, "mode", "tap"], "creating \(host.name)'s tap \(nic.rootName)")
            }
            try await must(["ip", "link", "set", nic.rootName, "master", nic.bridge, "up"], "attaching \(host.name)'s tap \(nic.rootName)")
        }
        try make(host.dataDirectory)
        // A guest that boots gets empty disks: the lab's DRBD starts from nothing each time.
        for disk in host.disks {
            try? FileManager.default.removeItem(atPath: disk.file)
            guard FileManager.default.createFile(atPath: disk.file, contents: nil), let handle = FileHandle(forWritingAtPath: disk.file) else {
                throw .labStep("creating \(host.name)'s disk \(disk.file)", reason: "cannot create the file")
            }
            do { try handle.truncate(atOffset: disk.size); try handle.close() } catch {
                throw .labStep("sizing \(host.name)'s disk \(disk.file)", reason: error.localizedDescription)
            }
        }
        let servers = LabLayout.kernelServers(of: host.name, in: spec)
        try write(KernelGuest.initScriptPath(host), KernelGuest.initScript(host, own: own, hostsFile: layout.hostsFileLines, files: layout.kernelFiles, servers: servers), mode: 0o755)
        try? FileManager.default.removeItem(atPath: KernelGuest.consoleLog(host))
        do {
            return try DetachedProcess.spawn(KernelGuest.qemuArguments(host, cluster: layout.cluster, boot: boot), log: "\(host.dataDirectory)/qemu.log")
        } catch {
            throw .labStep("starting \(host.name)'s qemu", reason: error.description)
        }
    }

    /// Polls `ssh true` from the control namespace until it answers, qemu dies or time is up.
    func waitForSSH(_ host: LabLayout.LabHost, pid: Int32, within limit: Duration) async throws(SystemError) {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var last = ""
        while clock.now < deadline {
            guard DetachedProcess.isAlive(pid) else { throw .guestNotReady(host: host.name, reason: "qemu exited; \(consoleTail(host))") }
            let argv = layout.execArguments(host: host, ["true"], timeout: .seconds(5))
            if let result = try? await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(8))) {
                if result.succeeded { return }
                last = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            try? await Task.sleep(for: .seconds(2))
        }
        throw .guestNotReady(host: host.name, reason: "no ssh answer within \(limit.components.seconds) s (last: \(last)); \(consoleTail(host))")
    }

    private func consoleTail(_ host: LabLayout.LabHost) -> String {
        let text = (try? String(contentsOfFile: KernelGuest.consoleLog(host), encoding: .utf8)) ?? ""
        return "console (\(KernelGuest.consoleLog(host))): " + text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    // MARK: - steps

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return directories.map { "\($0)/\(tool)" }.first { access($0, X_OK) == 0 }
    }

    private func make(_ path: String) throws(SystemError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .labStep("creating \(path)", reason: error.localizedDescription)
        }
    }

    private func read(_ path: String) throws(SystemError) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch { throw .labStep("reading \(path)", reason: error.localizedDescription) }
    }

    private func write(_ path: String, _ content: String, mode: UInt16) throws(SystemError) {
        do { try LocalFileSystem().write(path, contents: content, mode: mode) } catch { throw .labStep("writing \(path)", reason: "\(error)") }
    }

    private func copy(_ source: String, _ destination: String) throws(SystemError) {
        do {
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.copyItem(atPath: source, toPath: destination)
        } catch {
            throw .labStep("copying \(source)", reason: error.localizedDescription)
        }
    }

    private func output(_ argv: [String], _ what: String) async throws(SystemError) -> String {
        try await run(argv, what).stdout
    }

    private func succeeds(_ argv: [String]) async throws(SystemError) -> Bool {
        do { return try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30))).succeeded } catch {
            throw .labStep(argv.joined(separator: " "), reason: error.description)
        }
    }

    private func must(_ argv: [String], _ what: String) async throws(SystemError) {
        _ = try await run(argv, what)
    }

    @discardableResult
    private func run(_ argv: [String], _ what: String) async throws(SystemError) -> CommandResult {
        let result: CommandResult
        do { result = try await runner.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(120))) } catch {
            throw .labStep(what, reason: error.description)
        }
        guard result.succeeded else {
            throw .labStep(what, reason: "`\(result.command)` exited \(result.exitCode.map(String.init) ?? "by a signal"): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result
    }
}
