extension ValidationRun {
    mutating func checkNFS() {
        guard let nfs = spec.nfs else { return }
        checkServer(nfs.server, at: "nfs.server", role: .nfsServer)
        for (index, host) in spec.hosts.enumerated() where host.has(.nfsServer) && host.name != nfs.server {
            warning("hosts[\(index)].roles", "\(host.name) has the role nfs-server but nfs.server is \(nfs.server): nothing is rendered for it",
                fix: "remove the role or point nfs.server at \(host.name)")
        }
        if let address = nfs.address {
            if IPv4Address(address) == nil {
                error("nfs.address", "\"\(address)\" is not an IPv4 address")
            } else if let server = spec.host(named: nfs.server), !server.addresses.contains(address) {
                warning("nfs.address", "\(address) is not one of \(server.name)'s addresses (a floating address?)")
            }
        }
        var paths = FirstClaims<String, Int>()
        var fsids = FirstClaims<Int, Int>()
        var mountPoints = FirstClaims<String, Int>()
        for (index, export) in nfs.exports.enumerated() {
            let path = "nfs.exports[\(index)]"
            if !export.path.isEmpty {
                checkAbsolutePath(export.path, at: "\(path).path")
                if export.path == "/" { error("\(path).path", "exporting / gives away the whole server", fix: "export a dedicated directory such as /srv/vmstore") }
                if let first = paths.claim(export.path, by: index) {
                    error("\(path).path", "\(export.path) is already exported by nfs.exports[\(first)]", fix: "merge the two entries")
                }
            }
            checkExportClients(export, at: path)
            checkExportOptions(export, at: path, implementation: nfs.implementation)
            if let fsid = export.fsid {
                if fsid < 0 { error("\(path).fsid", "must be 0 or more") }
                if let first = fsids.claim(fsid, by: index) {
                    error("\(path).fsid", "fsid \(fsid) is already used by nfs.exports[\(first)]: clients would confuse the two exports",
                        fix: "give each export its own fsid")
                }
            }
            if let own = export.mountPath { checkAbsolutePath(own, at: "\(path).mountPath", isMountPoint: true) }
            if let mountPoint = spec.mountPath(ofExport: index) {
                if let first = mountPoints.claim(mountPoint, by: index) {
                    error("\(path).mountPath", "nfs.exports[\(first)] is already mounted at \(mountPoint)", fix: "give this export its own mountPath")
                }
            } else {
                error("\(path).mountPath", "is required for every export after the first (the first is mounted at mountPath \(spec.mountPath))",
                    fix: "add `mountPath: \(spec.mountPath)/\(export.path.split(separator: "/").last ?? "data")`")
            }
        }
        checkMountOptions(nfs.mountOptions)
        if let iscsi = spec.iscsi, iscsi.filesystem != .none, mountPoints.owner(of: spec.mountPath) != nil {
            error("iscsi.filesystem", "both the \(iscsi.filesystem.rawValue) LUN and nfs.exports would be mounted at mountPath \(spec.mountPath)",
                fix: "give the NFS export its own `mountPath:` or use `filesystem: none`")
        }
    }

    private mutating func checkExportClients(_ export: NFSExport, at path: String) {
        var networks: [IPv4Network] = []
        var wildcard = false
        var byName = false
        for (slot, client) in export.clients.enumerated() {
            let field = "\(path).clients[\(slot)]"
            if client == "*" {
                wildcard = true
            } else if client.contains("/") {
                guard let network = IPv4Network(client) else {
                    error(field, "\"\(client)\" is not a CIDR network", fix: "write it like 10.20.0.0/24")
                    continue
                }
                if !network.isNetworkAddress {
                    error(field, "\"\(client)\" has host bits set", fix: "did you mean \(network.networkAddress)/\(network.prefix)?")
                }
                networks.append(network)
            } else if let address = IPv4Address(client) {
                networks.append(IPv4Network("\(address)/32")!)
            } else if spec.host(named: client) != nil || Names.isDNSName(client) {
                byName = true
            } else {
                error(field, "\"\(client.debugEscaped)\" is not a network, an address, a host name or *", fix: "e.g. 10.20.0.0/24")
            }
        }
        guard !wildcard, !byName, !networks.isEmpty else { return }
        for host in spec.hypervisors where host.name != spec.nfs?.server {
            let inside = host.addresses.compactMap(IPv4Address.init).contains { address in networks.contains { $0.contains(address) } }
            if !inside {
                // A warning, not an error: a hypervisor may be kept out on purpose (the lab's hv3).
                warning("\(path).clients", "hypervisor \(host.name) (\(host.addresses.joined(separator: ", "))) is not among the clients: its mount would be refused",
                    fix: "add \(host.addresses.first ?? host.name) or its network to clients")
            }
        }
    }

    private mutating func checkExportOptions(_ export: NFSExport, at path: String, implementation: NFSImplementation) {
        for (slot, option) in export.options.enumerated() where !ExportOptions.isKnown(option) {
            let key = ExportOptions.key(of: option)
            let known = ExportOptions.allNames
            error("\(path).options[\(slot)]", "\"\(option.debugEscaped)\" is not an export option exportfs knows",
                fix: suggestion(for: key, among: known).map { "did you mean \"\($0)\"?" } ?? "see exports(5)")
        }
        let keys = Set(export.options.map(ExportOptions.key))
        for (one, other) in ExportOptions.contradictions where keys.contains(one) && keys.contains(other) {
            error("\(path).options", "sets both \(one) and \(other)", fix: "keep one of them")
        }
        if export.fsid != nil && keys.contains("fsid") {
            error("\(path).options", "sets fsid= while \(path).fsid is also set", fix: "keep only `fsid:`")
        }
        if keys.contains("async") {
            warning("\(path).options", "async acknowledges writes before they reach disk: a server crash corrupts VM images",
                fix: "use sync for VM images")
        }
        if !keys.contains("rw") && !keys.contains("ro") {
            warning("\(path).options", "neither rw nor ro: exportfs defaults to ro, and VMs cannot write their disks", fix: "add rw")
        } else if keys.contains("ro") {
            warning("\(path).options", "the export is read-only: VMs cannot write their disks", fix: "use rw")
        }
    }

    private mutating func checkMountOptions(_ options: [String]) {
        for (slot, option) in options.enumerated() {
            let field = "nfs.mountOptions[\(slot)]"
            if option == "soft" {
                warning(field, "soft mounts return I/O errors to VMs when the server is slow: their disks get corrupted",
                    fix: "use hard")
            }
            if option.hasPrefix("vers=") || option.hasPrefix("nfsvers=") {
                let version = option.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
                if !["3", "4", "4.0", "4.1", "4.2"].contains(version) {
                    error(field, "\"\(version)\" is not an NFS version (3, 4, 4.0, 4.1, 4.2)")
                }
            }
            if option.contains(where: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "\t" }) || option.isEmpty {
                error(field, "\"\(option.debugEscaped)\" must be one option without spaces or commas", fix: "list each option separately")
            }
        }
    }

    /// `server` names a host that plays `role`.
    mutating func checkServer(_ name: String, at path: String, role: HostRole) {
        guard !name.isEmpty else { return }
        guard let host = spec.host(named: name) else {
            let candidates = spec.hosts.filter { $0.has(role) }.map(\.name)
            error(path, "\"\(name)\" is not a host in hosts",
                fix: suggestion(for: name, among: spec.hosts.map(\.name)).map { "did you mean \"\($0)\"?" }
                    ?? (candidates.isEmpty ? "add it to hosts with `roles: [\(role.rawValue)]`" : "hosts with role \(role.rawValue): \(candidates.joined(separator: ", "))"))
            return
        }
        if !host.has(role) {
            let index = spec.hosts.firstIndex { $0.name == name } ?? 0
            error(path, "host \(name) does not have the role \(role.rawValue)", fix: "add \(role.rawValue) to hosts[\(index)].roles")
        }
    }
}
