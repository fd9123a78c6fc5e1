import Foundation
import StorageCheck
import StorageFacts
import StorageSystem

/// DRBD's state on a node of a `drbd:` resource: /proc/drbd, and on DRBD 9 (which lists no
/// devices there) `drbdsetup status`. `drbdadm status` prints the same, but it walks the
/// configuration and stops at a resource the kernel does not have ("No such resource"): the
/// kernel's own list is what readiness is judged on.
extension HostFactsCollector {

    func drbdFacts() async -> Known<DRBDFacts> {
        guard !spec.drbdResources(of: host.name).isEmpty else { return .unknown("\(host.name) is a node of no DRBD resource") }
        if let kernelNotOwn { return .unknown(kernelNotOwn) }
        guard let text = try? String(contentsOfFile: root + "/proc/drbd", encoding: .utf8) else {
            return .unknown("/proc/drbd does not exist: the drbd kernel module is not loaded (modprobe drbd)")
        }
        let proc: ProcDRBDParser.Contents
        do {
            proc = try ProcDRBDParser.parse(text)
        } catch {
            return .unknown(error.description)
        }
        // DRBD 8 lists every device it has here, none when nothing is up.
        if !proc.devices.isEmpty || proc.version?.hasPrefix("8.") == true {
            return .known(DRBDFacts(source: "/proc/drbd", version: proc.version, devices: proc.devices))
        }
        let command = Command("drbdsetup", ["status"], timeout: .seconds(10))
        let result: CommandResult
        do {
            result = try await runner.run(command)
        } catch where error.code == .notInstalled {
            return .unknown("drbdsetup is not installed (drbd-utils)")
        } catch {
            return .unknown(error.description)
        }
        guard result.succeeded else {
            let said = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(result.exitCode.map(String.init) ?? "?")"
            return .unknown("`\(command.description)` failed: \(said)")
        }
        do {
            return .known(DRBDFacts(source: "drbdsetup status", version: proc.version, devices: try DRBDStatusParser.parse(result.stdout)))
        } catch {
            return .unknown(error.description)
        }
    }

}
