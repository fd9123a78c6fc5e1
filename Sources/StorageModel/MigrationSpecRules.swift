extension ValidationRun {
    /// xend's relocation port: a port, and not one a storage daemon on a hypervisor uses.
    mutating func checkMigrationSettings() {
        let migration = spec.migration
        guard migration.usesXendRelocation else { return }
        let port = migration.relocationPort
        guard (1...65535).contains(port) else {
            error("migration.relocationPort", "\(port) is not a port (1-65535)", fix: "xend's default is \(MigrationSpec.defaultRelocationPort)")
            return
        }
        if port == 22 { error("migration.relocationPort", "22 is ssh's port", fix: "xend's default is \(MigrationSpec.defaultRelocationPort)") }
        for host in spec.hypervisors {
            let clash = FirewallPolicy.openings(for: host, in: spec)
                .first { $0.service != "xen-relocation" && port >= $0.port && port <= ($0.endPort ?? $0.port) }
            if let clash {
                error("migration.relocationPort", "\(port) on \(host.name) is also \(clash.service)'s port (\(clash.portText))",
                    fix: "pick another port, e.g. \(MigrationSpec.defaultRelocationPort)")
                return
            }
        }
    }
}
