import ArgumentParser
import Foundation
import StorageFacts
import StorageProbe
import StorageSystem

struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look at a storage server at the protocol level (libiscsi, libnfs), from this host, without the kernel clients.",
        subcommands: [ISCSI.self, NFS.self])

    struct ISCSI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "iscsi",
            abstract: "Targets and LUNs of a portal: serial, WWID, size, vendor/product, with per-step timings.",
            discussion: """
                TCP connect first (a refused and a dropped port read differently), then SendTargets, \
                login as --initiator-name (CHAP with --chap-user and --chap-secret-file), REPORT LUNS, \
                INQUIRY, VPD 0x80 and 0x83, READ CAPACITY(16), TEST UNIT READY, logout; all under \
                one deadline. The WWID is what multipath will name the device.

                Exit status: 0 probed, 1 the probe failed (the reason says which step), 2 bad usage.

                JSON: {"portal", "targets": [{"iqn", "portals", "luns": [{"lun", "serial", "wwid", \
                "sizeBytes", "blockSize", "vendor", "product", "ready"}]}], "timingsMs": {step: ms}}; \
                on failure {"error": {"code", "message"}}.
                """)

        @Option(help: ArgumentHelp("The portal, ADDR[:PORT] (port 3260 by default).", valueName: "addr")) var portal: String
        @Option(help: ArgumentHelp("Probe only this target (skips discovery).", valueName: "iqn")) var target: String?
        @Option(help: ArgumentHelp("With --target: probe only this LUN.", valueName: "n")) var lun: Int?
        @Option(help: ArgumentHelp("The initiator name to log in as (the ACL sees it).", valueName: "iqn"))
        var initiatorName = "iqn.2026-11.storagekit.probe:\(ProcessInfo.processInfo.hostName)"
        @Option(help: ArgumentHelp("CHAP user name.", valueName: "user")) var chapUser: String?
        @Option(help: ArgumentHelp("File holding the CHAP secret (first line); never give it on the command line.", valueName: "file"))
        var chapSecretFile: String?
        @Flag(help: "Read the CHAP secret from standard input (first line) instead of a file.") var chapSecretStdin = false
        @Option(help: ArgumentHelp("Deadline for the whole probe, in seconds.", valueName: "seconds")) var timeout: Double = 5
        @Flag(help: "Print one JSON document.") var json = false

        func validate() throws {
            if chapSecretFile != nil && chapSecretStdin { throw ValidationError("--chap-secret-file and --chap-secret-stdin exclude each other") }
            if (chapUser == nil) != (chapSecretFile == nil && !chapSecretStdin) {
                throw ValidationError("give --chap-user with --chap-secret-file (or --chap-secret-stdin)")
            }
            if timeout <= 0 { throw ValidationError("--timeout must be positive") }
            if lun != nil && target == nil { throw ValidationError("--lun needs --target") }
        }

        func run() async throws {
            try refuseLeavingTheMachine(portal)
            var secret: String?
            if let chapSecretFile {
                guard let text = try? LocalFileSystem().read(chapSecretFile) else {
                    Console.error("error: cannot read the CHAP secret file \(chapSecretFile)")
                    throw ExitCode(2)
                }
                secret = text.split(separator: "\n", omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) }
            }
            if chapSecretStdin { secret = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) ?? "" }
            let request = ISCSIProbeRequest(
                portal: portal, target: target, lun: lun, initiatorName: initiatorName, chapUser: chapUser, chapSecret: secret,
                timeout: .milliseconds(Int(timeout * 1000)))
            let result: ISCSIProbeResult
            do {
                result = try await ISCSIProber.probe(request)
            } catch {
                if json {
                    try Console.json(ProbeFailureReport(error: error.failure))
                } else {
                    Console.error("error: \(error)")
                }
                throw ExitCode(1)
            }
            if json { return try Console.json(result) }
            print("portal \(result.portal) (as \(initiatorName))")
                for target in result.targets {
                    print("  \(target.iqn)")
                    for lun in target.luns {
                        print("    LUN \(lun.lun)  serial \(lun.serial)  wwid \(lun.wwid ?? "-")  \(lun.sizeBytes) bytes  \(lun.vendor) \(lun.product)\(lun.ready ? "" : "  NOT READY")")
                    }
                    if target.luns.isEmpty { print("    (no disk LUNs)") }
                }
                let total = result.timingsMs.values.reduce(0, +)
                print(String(format: "  %.1f ms in all: ", total) + result.timingsMs.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f", $0.key, $0.value) }.joined(separator: ", "))
            }
        }

    struct NFS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nfs",
            abstract: "RPC programs and ports, exports and their clients, and optionally a canary file written, read back and removed.",
            discussion: """
                TCP connect to rpcbind first, then the portmapper dump (what `rpcinfo -p` shows) and the \
                MOUNT export list (what `showmount -e` shows), under one deadline: a filtered mountd \
                makes showmount hang for minutes, this gives up in time. With --canary, mounts the \
                export (--export, default the first listed) with libnfs, writes a file, reads it back, \
                reports the owner and mode of the export root, and removes the file.

                Exit status: 0 probed (and canary ok), 1 a step failed, 2 bad usage.

                JSON: {"server", "rpc": [{"program", "version", "protocol", "port", "service"}], \
                "exports": [{"path", "clients"}], "canary": {"ok", "path", "error", "uid", "gid", "mode"}, \
                "timingsMs": {step: ms}}; on failure {"error": {"code", "message"}}.
                """)

        @Option(help: ArgumentHelp("The NFS server's address.", valueName: "addr")) var server: String
        @Option(help: ArgumentHelp("The export to mount for --canary.", valueName: "path")) var export: String?
        @Flag(help: "Write, read back and remove a file on the export.") var canary = false
        @Option(help: ArgumentHelp("Deadline for the whole probe, in seconds.", valueName: "seconds")) var timeout: Double = 5
        @Flag(help: "Print one JSON document.") var json = false

        func validate() throws {
            if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            try refuseLeavingTheMachine(server)
            let request = NFSProbeRequest(server: server, export: export, canary: canary, timeout: .milliseconds(Int(timeout * 1000)))
            let result: NFSProbeResult
            do {
                result = try await NFSProber.probe(request)
            } catch {
                if json {
                    try Console.json(ProbeFailureReport(error: error.failure))
                } else {
                    Console.error("error: \(error)")
                }
                throw ExitCode(1)
            }
            let canaryFailed = result.canary.map { !$0.ok } ?? false
            if json {
                try Console.json(result)
                if canaryFailed { throw ExitCode(1) }
                return
            }
            print("server \(result.server)")
            print("  rpc programs:")
            for entry in result.rpc {
                print("    \(String(entry.program).padding(toLength: 7, withPad: " ", startingAt: 0)) v\(entry.version) \(entry.protocol)  \(String(entry.port).padding(toLength: 6, withPad: " ", startingAt: 0)) \(entry.service ?? "")")
            }
            print("  exports:")
            for entry in result.exports { print("    \(entry.path)  \(entry.clients.isEmpty ? "(no clients listed)" : entry.clients.joined(separator: ", "))") }
            if result.exports.isEmpty { print("    (none listed to this host)") }
            if let canary = result.canary {
                print(canary.ok ? "  canary: wrote, read back and removed \(canary.path); export root uid \(canary.uid.map(String.init) ?? "?") gid \(canary.gid.map(String.init) ?? "?") mode \(canary.mode ?? "?")"
                    : "  canary FAILED on \(canary.path): \(canary.error ?? "")")
            }
            let steps = result.timingsMs.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }
            print("  timings (ms): \(steps.joined(separator: ", "))")
            if canaryFailed { throw ExitCode(1) }
        }
    }
}

/// A probe of a lab address from this machine's own namespace would leave the machine.
private func refuseLeavingTheMachine(_ target: String) throws {
    guard let refusal = LabLeakGuard.probeRefusal(target: target, labs: LabLeakGuard.labsAtRisk) else { return }
    Console.error("error: \(refusal)")
    throw ExitCode(2)
}
