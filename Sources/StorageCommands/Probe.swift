import ArgumentParser
import Foundation
import StorageProbe
import StorageSystem

struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look at a storage server at the protocol level (libiscsi, libnfs), from this host, without the kernel clients.",
        subcommands: [ISCSI.self])

    struct ISCSI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "iscsi",
            abstract: "Targets and LUNs of a portal: serial, WWID, size, vendor/product, with per-step timings.",
            discussion: """
                TCP connect first (a refused and a dropped port read differently), then SendTargets,
                login as --initiator-name (CHAP with --chap-user and --chap-secret-file), REPORT LUNS,
                INQUIRY, VPD 0x80 and 0x83, READ CAPACITY(16), TEST UNIT READY, logout; all under
                one deadline. The WWID is what multipath will name the device.
                Exit status: 0 probed, 1 the probe failed (the reason says which step), 2 bad usage.
                JSON: {"portal", "targets": [{"iqn", "portals", "luns": [{"lun", "serial", "wwid",
                "sizeBytes", "blockSize", "vendor", "product", "ready"}]}], "timingsMs": {step: ms}};
                on failure {"error": {"code", "message"}}.
                """)

        @Option(help: ArgumentHelp("The portal, ADDR[:PORT] (port 3260 by default).", valueName: "addr")) var portal: String
        @Option(help: ArgumentHelp("Probe only this target (skips discovery).", valueName: "iqn")) var target: String?
        @Option(help: ArgumentHelp("The initiator name to log in as (the ACL sees it).", valueName: "iqn"))
        var initiatorName = "iqn.2026-11.storagekit.probe:\(ProcessInfo.processInfo.hostName)"
        @Option(help: ArgumentHelp("CHAP user name.", valueName: "user")) var chapUser: String?
        @Option(help: ArgumentHelp("File holding the CHAP secret (first line); never give it on the command line.", valueName: "file"))
        var chapSecretFile: String?
        @Option(help: ArgumentHelp("Deadline for the whole probe, in seconds.", valueName: "seconds")) var timeout: Double = 5
        @Flag(help: "Print one JSON document.") var json = false

        func validate() throws {
            if (chapUser == nil) != (chapSecretFile == nil) { throw ValidationError("give --chap-user and --chap-secret-file together") }
            if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            var secret: String?
            if let chapSecretFile {
                guard let text = try? LocalFileSystem().read(chapSecretFile) else {
                    Console.error("error: cannot read the CHAP secret file \(chapSecretFile)")
                    throw ExitCode(2)
                }
                secret = text.split(separator: "\n", omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let request = ISCSIProbeRequest(
                portal: portal, target: target, initiatorName: initiatorName, chapUser: chapUser, chapSecret: secret,
                timeout: .milliseconds(Int(timeout * 1000)))
            let result: ISCSIProbeResult
            do {
                result = try await ISCSIProber.probe(request)
            } catch {
                if json {
                    try Console.json(["error": ["code": error.code, "message": error.description]])
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
    }
