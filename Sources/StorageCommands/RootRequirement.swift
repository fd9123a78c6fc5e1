import ArgumentParser
import Foundation
import StorageModel

/// Commands that change hosts reached on this machine (`transport: local`) or in its lab
/// (`transport: lab`, which even reading enters namespaces for) need root here. Say so before
/// anything is read or written, not as a permission error halfway through. Hosts reached over
/// ssh log in as root there and need nothing of this machine.
enum RootRequirement {
    static func check(_ hosts: [StorageModel.Host], changing: Bool) throws {
        guard geteuid() != 0 else { return }
        let needing = hosts.filter { $0.transport == .lab || ($0.transport == .local && changing) }
        guard !needing.isEmpty else { return }
        let command = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") }.joined(separator: " ")
        let names = needing.map { "\($0.name) (\($0.transport.rawValue))" }.joined(separator: ", ")
        Console.error("error: `storagekit \(command)` needs root on this machine for \(names): run it with sudo"
            + (changing && needing.allSatisfy { $0.transport == .local } ? " (or add --dry-run to see the plan)" : "") + "; nothing was changed")
        throw ExitCode(2)
    }
}
