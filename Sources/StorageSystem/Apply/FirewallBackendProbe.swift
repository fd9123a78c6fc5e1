import StorageModel
import StorageRender

/// Looks at what a host runs to decide `firewall.backend: auto` there (the decision itself is
/// `FirewallBackendDetection`).
public struct FirewallBackendProbe: Sendable {
    /// The states `systemctl is-enabled` prints; anything else means systemctl could not say.
    static let unitStates: Set<String> = [
        "enabled", "enabled-runtime", "linked", "linked-runtime", "alias", "masked", "masked-runtime",
        "static", "indirect", "disabled", "generated", "transient", "bad", "not-found",
    ]

    let context: HostContext

    public init(context: HostContext) {
        self.context = context
    }

    public func choose(_ wanted: FirewallBackend) async throws -> FirewallBackendDetection.Choice {
        guard wanted == .auto else { return FirewallBackendDetection.stated(wanted) }
        let confPath = NFTablesFiles.confPath(context.osFamily)
        let observed = FirewallBackendDetection.Observed(
            firewalldRunning: try await FirewalldApplier.isRunning(context.transport),
            nftablesUnitState: try await nftablesUnitState(),
            nftablesConf: try await context.files.read(confPath)?.content,
            nftablesConfPath: confPath)
        return FirewallBackendDetection.choose(.auto, observed)
    }

    func nftablesUnitState() async throws -> String? {
        let result: CommandResult
        do throws(SystemError) {
            result = try await context.transport.run(Command("systemctl", ["is-enabled", "nftables.service"], timeout: .seconds(10)))
        } catch {
            if error.code == .notInstalled { return nil }
            throw error
        }
        let state = String(result.stdout.split(separator: "\n").first ?? "").trimmingCharacters(in: .whitespaces)
        return Self.unitStates.contains(state) ? state : nil
    }
}
