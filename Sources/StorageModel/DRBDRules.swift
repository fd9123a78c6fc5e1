extension ValidationRun {
    /// DRBD's minors go up to 2^20 - 1.
    static let maxDRBDMinor = 1_048_575

    mutating func checkDRBD() {
        guard let drbd = spec.drbd else { return }
        var names = FirstClaims<String, Int>()
        var devices = FirstClaims<String, Int>()
        var disks = FirstClaims<String, String>()
        var listens = FirstClaims<String, String>()
        for (index, resource) in drbd.resources.enumerated() {
            let path = "drbd.resources[\(index)]"
            if !resource.name.isEmpty {
                if let problem = Self.drbdNameProblem(resource.name) {
                    error("\(path).name", "\"\(resource.name.debugEscaped)\" \(problem)", fix: "e.g. `name: r\(index)`")
                } else if let first = names.claim(resource.name, by: index) {
                    error("\(path).name", "\(resource.name) is already drbd.resources[\(first)]", fix: "give each resource its own name")
                }
            }
            if !resource.device.isEmpty {
                if let minor = resource.minor, minor <= Self.maxDRBDMinor {
                    if let first = devices.claim(resource.device, by: index) {
                        error("\(path).device", "\(resource.device) is already drbd.resources[\(first)]'s device: two resources cannot share a minor",
                            fix: "use the next free one, e.g. /dev/drbd\(drbd.resources.compactMap(\.minor).max().map { $0 + 1 } ?? index)")
                    }
                } else {
                    error("\(path).device", "\"\(resource.device.debugEscaped)\" is not a DRBD device: write /dev/drbdN with N from 0 to \(Self.maxDRBDMinor)",
                        fix: "e.g. `device: /dev/drbd\(index)`")
                }
            }
            checkDRBDDisks(resource, at: path, claims: &disks)
            checkDRBDHosts(resource, at: path)
            checkDRBDPort(resource, at: path, claims: &listens)
            checkDRBDReplication(resource, at: path)
        }
        if drbd.resources.isEmpty { return }
        if spec.migration.hypervisor == .xen && !drbd.disableSendpage {
            warning("drbd.disableSendpage", "is off: DRBD's user guide recommends disable_sendpage=1 on Xen dom0 kernels",
                fix: "add `disableSendpage: true` under drbd:")
        }
    }

    /// Why `name` cannot name a resource (the kernel's strict names: letters, digits, + - . _;
    /// the tools reserve "all"), or nil.
    static func drbdNameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._")
        if name == "all" { return "is what drbdadm calls every resource" }
        if name.count > 63 { return "is longer than 63 characters" }
        if !name.allSatisfy(allowed.contains) { return "must be letters, digits and + - . _ only (it names /etc/drbd.d/<name>.res)" }
        if name.first == "-" { return "must not start with - (drbdadm would read it as an option)" }
        return nil
    }

    private mutating func checkDRBDDisks(_ resource: DRBDResource, at path: String, claims: inout FirstClaims<String, String>) {
        if !resource.disk.isEmpty {
            checkAbsolutePath(resource.disk, at: "\(path).disk")
            if resource.disk.hasPrefix("/") && !resource.disk.hasPrefix("/dev/") {
                error("\(path).disk", "\(resource.disk) is not under /dev: DRBD mirrors a block device, not a file",
                    fix: "give a disk, partition or logical volume, e.g. /dev/vdb or /dev/vg0/\(resource.name)")
            }
            for name in Set(resource.hosts.map(\.name)).sorted() where !name.isEmpty {
                if let first = claims.claim("\(name):\(resource.disk)", by: path) {
                    error("\(path).disk", "\(resource.disk) on \(name) already backs \(first): two resources on one disk overwrite each other",
                        fix: "give each resource its own disk")
                }
            }
        }
        if resource.metaDisk != DRBDResource.defaultMetaDisk {
            checkAbsolutePath(resource.metaDisk, at: "\(path).metaDisk")
            if resource.metaDisk == resource.disk {
                error("\(path).metaDisk", "is the data disk itself", fix: "write `metaDisk: internal` to keep the meta data at the end of the disk")
            } else if resource.metaDisk.hasPrefix("/") && !resource.metaDisk.hasPrefix("/dev/") {
                error("\(path).metaDisk", "\(resource.metaDisk) is not under /dev: external meta data lives on a block device",
                    fix: "use `internal` or a partition such as /dev/vdc1")
            }
        }
    }

    private mutating func checkDRBDHosts(_ resource: DRBDResource, at path: String) {
        guard !resource.hosts.isEmpty else { return }  // The loader said "is required".
        if resource.hosts.count != 2 {
            error("\(path).hosts", "lists \(resource.hosts.count) host(s): a resource mirrors between exactly two",
                fix: "keep two hosts; add another resource for another pair")
        }
        var seen = FirstClaims<String, Int>()
        for (slot, node) in resource.hosts.enumerated() where !node.name.isEmpty {
            let field = "\(path).hosts[\(slot)]"
            guard let host = spec.host(named: node.name) else {
                error("\(field).name", "\"\(node.name)\" is not a host in hosts",
                    fix: suggestion(for: node.name, among: spec.hosts.map(\.name)).map { "did you mean \"\($0)\"?" }
                        ?? "hypervisors: \(spec.hypervisors.map(\.name).joined(separator: ", "))")
                continue
            }
            if let first = seen.claim(node.name, by: slot) {
                error("\(field).name", "\(node.name) is already \(path).hosts[\(first)]: DRBD mirrors between two different hosts",
                    fix: "name the other host")
                continue
            }
            if !host.has(.hypervisor) {
                warning("\(field).name", "\(node.name) is not a hypervisor: no guest there can use \(resource.device)",
                    fix: "mirror between the hypervisors that run the guests")
            }
            if let address = node.address {
                if IPv4Address(address) == nil {
                    error("\(field).address", "\"\(address.debugEscaped)\" is not an IPv4 address", fix: "e.g. \(host.addresses.first ?? "10.20.0.11")")
                } else if !host.addresses.contains(address) {
                    error("\(field).address", "\(address) is not an address of \(host.name) (\(host.addresses.joined(separator: ", "))): drbdadm refuses an address the host does not have",
                        fix: "use one of \(host.name)'s addresses, or add this one to its `addresses`")
                }
            }
        }
    }

    private mutating func checkDRBDPort(_ resource: DRBDResource, at path: String, claims: inout FirstClaims<String, String>) {
        let field = "\(path).port"
        guard (1...65535).contains(resource.port) else {
            error(field, "\(resource.port) is not a port (1-65535)", fix: "DRBD's usual ports start at 7789")
            return
        }
        if let service = [22: "ssh", 111: "rpcbind"][resource.port] {
            error(field, "\(resource.port) is \(service)'s port", fix: "DRBD's usual ports start at 7789")
            return
        }
        var named = Set<String>()
        for node in resource.hosts where named.insert(node.name).inserted {
            guard let host = spec.host(named: node.name) else { continue }
            if let first = claims.claim("\(node.name):\(resource.port)", by: path) {
                error(field, "\(resource.port) on \(node.name) is already \(first)'s port: each resource needs its own",
                    fix: "use \(resource.port + 1)")
                continue
            }
            let others = FirewallPolicy.openings(for: host, in: spec).filter { !$0.service.hasPrefix(FirewallPolicy.drbdServicePrefix) }
            if let clash = others.first(where: { resource.port >= $0.port && resource.port <= ($0.endPort ?? $0.port) }) {
                error(field, "\(resource.port) on \(node.name) is also \(clash.service)'s port (\(clash.portText))",
                    fix: "pick a port outside \(clash.portText), e.g. 7789")
            }
        }
    }

    private mutating func checkDRBDReplication(_ resource: DRBDResource, at path: String) {
        if resource.allowTwoPrimaries {
            if resource.protocol != .c {
                error("\(path).protocol", "\(resource.protocol.rawValue) with allowTwoPrimaries: two Primaries need synchronous replication",
                    fix: "use `protocol: C` (the default)")
            }
            warning("\(path).allowTwoPrimaries",
                "both hosts may write \(resource.device) at once: safe only with a cluster filesystem (GFS2, OCFS2) on it, or one guest per resource running on one host at a time (live migration hands it over)",
                fix: "never start the same guest on both hosts; give each guest its own resource")
            if resource.afterSb2pri == .violentlyAs0p || resource.afterSb1pri == .violentlyAs0p {
                warning("\(path).\(resource.afterSb2pri == .violentlyAs0p ? "afterSb2pri" : "afterSb1pri")",
                    "violently-as0p silently throws away one Primary's writes after a split brain",
                    fix: "use the defaults (discard-secondary, disconnect) and recover by hand")
            }
        } else {
            warning("\(path).allowTwoPrimaries",
                "is false: Xen and libvirt need the resource writable on both hosts while a guest moves, so live migration will fail",
                fix: "remove `allowTwoPrimaries: false` if guests live-migrate")
        }
        if let algorithm = resource.verifyAlg, !Names.isToken(algorithm, maxLength: 63) {
            error("\(path).verifyAlg", "\"\(algorithm.debugEscaped)\" is not a kernel hash name", fix: "e.g. sha1, sha256 or crc32c")
        }
    }
}
