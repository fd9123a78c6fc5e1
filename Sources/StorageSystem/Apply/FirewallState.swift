import StorageRender

/// storagekit's chain as the kernel has it, compared with what the spec wants. iptables prints
/// rules in its own canonical form; both sides are normalised the same way (quotes dropped).
public enum FirewallState {
    public static let jump = ["INPUT", "-j", FirewallFiles.chain]

    public static func chainRules(of restoreInput: String) -> [String] {
        restoreInput.split(separator: "\n").filter { $0.hasPrefix("-A \(FirewallFiles.chain) ") }.map { normalised(String($0)) }
    }

    static func normalised(_ rule: String) -> String {
        rule.replacingOccurrences(of: "\"", with: "").split(separator: " ").joined(separator: " ")
    }

    /// True when the live chain has exactly the wanted rules, INPUT jumps to it, and the
    /// persisted file has them too.
    public static func isCurrent(_ restoreInput: String, persistPath: String, files: HostFiles) async throws(SystemError) -> Bool {
        let wanted = chainRules(of: restoreInput)
        let live = try await files.run(["iptables", "-S", FirewallFiles.chain], "reading the \(FirewallFiles.chain) chain", allowFailure: true)
        guard live.succeeded, chainRules(of: live.stdout) == wanted else { return false }
        guard try await files.run(["iptables", "-C"] + jump, "looking for the jump to \(FirewallFiles.chain)", allowFailure: true).succeeded else { return false }
        guard let persisted = try await files.read(persistPath)?.content else { return false }
        return chainRules(of: persisted) == wanted && persisted.contains("-A INPUT -j \(FirewallFiles.chain)")
    }
}
