import ArgumentParser
import Foundation
import StorageSystem

/// The `storagekit` command: shared storage for live migration, from one spec.
public struct StorageKit: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "storagekit",
        abstract: "Shared storage for KVM/Xen live migration, from one declarative spec.",
        discussion: """
            Every hypervisor must see the same disk images at the same path before a guest can \
            move. storagekit renders the iSCSI target, NFS export, multipath, mount and firewall \
            files each host needs from one spec (see docs/spec.md and examples/).
            """,
        version: StorageKit.version,
        subcommands: [
            Validate.self, Render.self, Plan.self, Apply.self, Setup.self, Firewall.self, Rollback.self, Probe.self, ISCSI.self, Multipath.self,
            Mount.self, Check.self, Rehearse.self, Facts.self, CanaryVM.self, Lab.self, Deploy.self, BuildInfoCommand.self,
        ])

    public init() {}

    public static let version = "0.1.0"
}

extension StorageKit {
    /// The program's entry point. (Top-level `await StorageKit.main()` resolves to the
    /// synchronous overload, which refuses async commands.)
    public static func runAsMain() async {
        BrokenPipes.ignore()
        // `check` starts this on every host: skipping the parser's setup (the Swift runtime's
        // conformance lookups, a quarter of a start) saves each host a few ms of CPU.
        if Array(CommandLine.arguments.dropFirst()) == ["facts", "--session"] {
            do { try await Facts.serveSession() } catch { exit(withError: error) }
            return
        }
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Bad usage exits 2 like a bad spec (docs/commands.md), not ArgumentParser's 64.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
