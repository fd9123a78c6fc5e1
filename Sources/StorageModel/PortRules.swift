extension ValidationRun {
    /// Every pinned port is in range, and no two services would listen on one port on one host.
    mutating func checkPorts() {
        if let nfs = spec.nfs {
            var owners = FirstClaims<Int, String>([111: "rpcbind"])
            for (key, port) in nfs.ports.named {
                let field = "nfs.ports.\(key)"
                guard (1...65535).contains(port) else {
                    error(field, "\(port) is not a port (1-65535)")
                    continue
                }
                if key != "nfs" && port == 2049 {
                    error(field, "2049 is the NFS port itself", fix: "pick a free port (defaults: mountd 892, statd 662, lockd 32803, rquotad 875)")
                    continue
                }
                if key == "lockdUdp" && port == nfs.ports.lockd { continue }  // lockd's tcp and udp may share a number.
                if let owner = owners.claim(port, by: key) {
                    error(field, "\(port) is already \(owner)'s port", fix: "give each daemon its own port")
                }
            }
            if let server = spec.host(named: nfs.server) {
                let others = FirewallPolicy.openings(for: server, in: spec).filter { !["rpcbind", "nfs", "mountd", "statd", "rquotad", "lockd"].contains($0.service) }
                for (key, port) in nfs.ports.named {
                    if let clash = others.first(where: { port >= $0.port && port <= ($0.endPort ?? $0.port) }) {
                        error("nfs.ports.\(key)", "\(port) on \(server.name) is also \(clash.service)'s port (\(clash.portText))",
                            fix: "pick a port outside \(clash.portText)")
                    }
                }
                if nfs.ports.named.contains(where: { $0.port == 22 }) {
                    error("nfs.ports", "22 is ssh's port")
                }
            }
        }
        for (index, target) in (spec.iscsi?.targets ?? []).enumerated() {
            for portal in spec.portals(of: target) where [111, 2049, 22].contains(portal.port) {
                error("iscsi.targets[\(index)].portals", "\(portal) uses port \(portal.port), which belongs to another service",
                    fix: "use 3260")
            }
        }
    }
}
