import Foundation

/// The settings of /etc/libvirt/qemu.conf that decide how a migration reaches this host:
/// `name = value` lines, `#` comments, strings in quotes.
public enum LibvirtQemuConf {
    /// libvirt's own default when `migration_port_min`/`max` are not set.
    public static let defaultMigrationPorts = PortRange(49152, 49215)

    static func settings(_ text: String, source: String) throws(ToolOutputError) -> [String: String] {
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !line.isEmpty else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            // A list value (`security_driver = [ "selinux",`) may run over lines: only its first line has a name.
            guard parts.count == 2, let name = parts.first, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                if line.hasPrefix("\"") || line.hasPrefix("]") || line.hasSuffix(",") { continue }
                throw ToolOutputError(tool: source, line: index + 1, text: String(raw), reason: "not `name = value`")
            }
            values[name] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return values
    }

    /// What qemu.conf says about incoming migrations.
    public struct Migration: Sendable, Codable, Equatable {
        /// `migration_port_min`/`max`.
        public var ports = LibvirtQemuConf.defaultMigrationPorts
        /// `migration_host`, `migration_address`, when set.
        public var host: String?
        public var listen: String?

        public init() {}
    }

    public static func migration(_ text: String, source: String = "/etc/libvirt/qemu.conf") throws(ToolOutputError) -> Migration {
        let values = try settings(text, source: source)
        func port(_ name: String, _ fallback: Int) throws(ToolOutputError) -> Int {
            guard let text = values[name] else { return fallback }
            guard let value = Int(text), (1...65535).contains(value) else { throw ToolOutputError(tool: source, text: "\(name) = \(text) is not a port") }
            return value
        }
        var migration = Migration()
        migration.ports = PortRange(try port("migration_port_min", defaultMigrationPorts.first), try port("migration_port_max", defaultMigrationPorts.last))
        guard migration.ports.first <= migration.ports.last else {
            throw ToolOutputError(tool: source, text: "migration_port_min \(migration.ports.first) is above migration_port_max \(migration.ports.last)")
        }
        migration.host = values["migration_host"]
        migration.listen = values["migration_address"]
        return migration
    }
}
