/// What `systemctl is-enabled UNIT` prints (systemctl(1)): whether and how a unit starts at boot.
public enum UnitFileState: String, Sendable, Codable, CaseIterable {
    case enabled
    case enabledRuntime = "enabled-runtime"
    case linked
    case linkedRuntime = "linked-runtime"
    case alias
    case masked
    case maskedRuntime = "masked-runtime"
    /// No [Install] section: started by what needs it (rpc-statd by nfs-server).
    case `static`
    case indirect
    /// Installed, but nothing starts it at boot.
    case disabled
    case generated
    case transient
    case bad
    case notFound = "not-found"

    /// The first line of `systemctl is-enabled`'s output; nil when it is none of these
    /// (systemctl could not say, or is not there).
    public init?(isEnabledOutput output: String) {
        let first = output.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        self.init(rawValue: first)
    }
}
