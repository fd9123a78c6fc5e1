extension ValidationRun {
    mutating func checkHosts() {
        var names = FirstClaims<String, Int>()
        var addresses = FirstClaims<String, String>()
        var initiators = FirstClaims<String, Int>()
        for (index, host) in spec.hosts.enumerated() {
            let path = "hosts[\(index)]"
            if !host.name.isEmpty {
                if !Names.isHostName(host.name) {
                    error("\(path).name", "\"\(host.name)\" is not a host name (a-z, 0-9, '-', at most 63)",
                        fix: "e.g. `name: \(Names.slug(host.name))`")
                }
                if let first = names.claim(host.name, by: index) {
                    error("\(path).name", "\"\(host.name)\" is already the name of hosts[\(first)]", fix: "give every host its own name")
                }
            }
            for (slot, address) in host.addresses.enumerated() {
                let field = host.addressPath(host: index, address: slot)
                guard let parsed = IPv4Address(address) else {
                    error(field, "\"\(address)\" is not an IPv4 address", fix: "write four numbers 0-255, e.g. 10.20.0.11")
                    continue
                }
                if let owner = addresses.claim(address, by: "hosts[\(index)] (\(host.name))") {
                    error(field, "\(address) is already used by \(owner)", fix: "every NIC needs its own address")
                }
                let networks = spec.networks.compactMap(IPv4Network.init)
                if !networks.isEmpty && !networks.contains(where: { $0.contains(parsed) }) {
                    warning(field, "\(address) is outside every storage network (\(spec.networks.joined(separator: ", "))): the firewall will not let it in",
                        fix: "add its network to `network:` or correct the address")
                }
            }
            if host.roles.isEmpty && !host.name.isEmpty && !sink.sourceMap.contains("\(path).roles[0]") {
                error("\(path).roles", "host \(host.name) has no role", fix: "add `roles: [hypervisor]` (or iscsi-target, nfs-server)")
            }
            if Set(host.roles).count != host.roles.count {
                error("\(path).roles", "lists a role twice")
            }
            if let name = host.initiatorName, let problem = IQN.problem(name) {
                error("\(path).initiatorName", "\"\(name)\" \(problem)", fix: "e.g. iqn.2026-11.org.example:\(host.name)")
            }
            if host.has(.hypervisor) {
                let name = spec.initiatorName(of: host)
                if let first = initiators.claim(name, by: index) {
                    error(host.initiatorName != nil ? "\(path).initiatorName" : "\(path).name",
                        "initiator name \(name) is also hosts[\(first)]'s: targets could not tell them apart",
                        fix: "give each hypervisor its own initiatorName")
                }
            }
        }
        let hypervisors = spec.hypervisors.count
        if hypervisors == 0 && !spec.hosts.isEmpty {
            error("hosts", "no host has the role hypervisor: nothing would use the shared storage",
                fix: "add `hypervisor` to the roles of the hosts that run VMs")
        } else if hypervisors == 1 {
            warning("hosts", "only one hypervisor: live migration needs at least two", fix: "add the other hypervisors")
        }
    }
}
