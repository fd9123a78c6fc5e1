extension ValidationRun {
    /// tgtd limits scsi_sn to this many characters; LIO's unit serial may have 254.
    static func maxSerialLength(_ implementation: ISCSIImplementation) -> Int {
        implementation == .tgt ? 36 : 254
    }

    mutating func checkISCSI() {
        guard let iscsi = spec.iscsi else { return }
        if !Names.isToken(iscsi.multipath.alias, maxLength: 64) {
            error("iscsi.multipath.alias", "\"\(iscsi.multipath.alias.debugEscaped)\" is not a device name (letters, digits, . _ -)",
                fix: "e.g. `alias: vmstore`")
        }
        var iqns = FirstClaims<String, Int>()
        var serials = FirstClaims<String, String>()
        var wwids = FirstClaims<String, String>()
        var aliases = FirstClaims<String, String>()
        var stores = FirstClaims<String, String>()
        for (index, target) in iscsi.targets.enumerated() {
            let path = "iscsi.targets[\(index)]"
            if !target.iqn.isEmpty {
                if let problem = IQN.problem(target.iqn) {
                    error("\(path).iqn", "\"\(target.iqn.debugEscaped)\" \(problem)", fix: "e.g. iqn.2026-11.org.example.san1:vmstore")
                }
                if let first = iqns.claim(target.iqn, by: index) {
                    error("\(path).iqn", "\(target.iqn) is already iscsi.targets[\(first)]", fix: "give each target its own IQN")
                }
            }
            checkServer(target.server, at: "\(path).server", role: .iscsiTarget)
            checkPortals(target, at: path)
            checkInitiators(target, at: path)
            if let chap = target.chap { checkCHAP(chap, at: "\(path).chap") }

            var luns = FirstClaims<Int, Int>()
            for (slot, lun) in target.luns.enumerated() {
                let lunPath = "\(path).luns[\(slot)]"
                if !(1...255).contains(lun.lun) {
                    error("\(lunPath).lun", "\(lun.lun) is out of range 1-255 (tgtd keeps LUN 0 for its controller)", fix: "number LUNs from 1")
                } else if let first = luns.claim(lun.lun, by: slot) {
                    error("\(lunPath).lun", "LUN \(lun.lun) is already \(path).luns[\(first)]", fix: "number each LUN of a target once")
                    continue  // Its derived serial and alias would only repeat this error.
                }
                if !lun.backingStore.isEmpty {
                    checkAbsolutePath(lun.backingStore, at: "\(lunPath).backingStore")
                    let key = "\(target.server):\(lun.backingStore)"
                    if let first = stores.claim(key, by: lunPath) {
                        error("\(lunPath).backingStore", "\(lun.backingStore) on \(target.server) already backs \(first): two LUNs on one disk corrupt each other",
                            fix: "give each LUN its own file or device")
                    }
                }
                if let size = lun.size {
                    if ByteSize.parse(size) == nil {
                        error("\(lunPath).size", "\"\(size)\" is not a size", fix: "write it like 6G, 512M or 1T")
                    }
                } else if !lun.backingStore.hasPrefix("/dev/") && !lun.backingStore.isEmpty {
                    error("\(lunPath).size", "is required for a file backing store", fix: "e.g. `size: 10G` (the file is created sparse)")
                }
                let identity = spec.identity(of: target, lun)
                let maxSerial = Self.maxSerialLength(target.implementation)
                if lun.serial != nil && !Names.isToken(identity.serial, maxLength: maxSerial) {
                    error("\(lunPath).serial", "\"\(identity.serial.debugEscaped)\" must be 1-\(maxSerial) letters, digits, . _ -",
                        fix: "e.g. SK-\(spec.cluster.uppercased())-\(lun.lun)")
                } else if let first = serials.claim(identity.serial, by: lunPath) {
                    error("\(lunPath).serial", "serial \(identity.serial) is also \(first)'s: multipath would merge two different disks",
                        fix: "give each LUN its own serial (or leave it out for a derived one)")
                } else if target.implementation == .lio && LUNIdentity.hexDigits(identity.serial).isEmpty {
                    error("\(lunPath).serial", "\"\(identity.serial.debugEscaped)\" has no hex digit: LIO builds the WWID from the serial's hex digits, so this LUN's would be \(identity.wwid)",
                        fix: "use a serial with hex digits (0-9, A-F), or leave it out for a derived one")
                } else if let first = wwids.claim(identity.wwid, by: lunPath) {
                    let why = target.implementation == .lio ? " (LIO takes only the first 25 hex digits of the serial)" : ""
                    error("\(lunPath).serial", "its WWID \(identity.wwid) is also \(first)'s\(why): multipath would merge two different disks",
                        fix: "give this LUN a serial whose first 25 hex digits differ, or leave it out for a derived one")
                }
                let alias = spec.multipathAlias(of: target, lun)
                if lun.alias != nil && !Names.isToken(alias, maxLength: 64) {
                    error("\(lunPath).alias", "\"\(alias.debugEscaped)\" is not a device name (letters, digits, . _ -)")
                } else if let first = aliases.claim(alias, by: lunPath) {
                    error("\(lunPath).alias", "/dev/mapper/\(alias) is already \(first)", fix: "give this LUN its own `alias:`")
                }
            }
        }
        if iscsi.filesystem != .none && iscsi.allLUNs.count != 1 {
            error("iscsi.filesystem", "\(iscsi.filesystem.rawValue) is mounted at mountPath from exactly one LUN; the spec has \(iscsi.allLUNs.count)",
                fix: "keep one LUN, or use `filesystem: none` and give VMs whole LUNs")
        }
    }

    private mutating func checkPortals(_ target: ISCSITarget, at path: String) {
        guard let portals = target.portals else { return }
        let server = spec.host(named: target.server)
        var seen = Set<Portal>()
        for (slot, text) in portals.enumerated() {
            let field = "\(path).portals[\(slot)]"
            guard let portal = Portal(text) else {
                error(field, "\"\(text.debugEscaped)\" is not ADDRESS[:PORT]", fix: "e.g. 10.20.0.5:3260")
                continue
            }
            if !seen.insert(portal).inserted { error(field, "\(portal) is listed twice") }
            if let server, !server.addresses.isEmpty, !server.addresses.contains(portal.address) {
                error(field, "\(portal.address) is not an address of \(server.name) (\(server.addresses.joined(separator: ", ")))",
                    fix: "use one of \(server.name)'s addresses, or add this one to its `addresses`")
            }
        }
    }

    private mutating func checkInitiators(_ target: ISCSITarget, at path: String) {
        if target.initiators.isEmpty {
            error("\(path).initiators", "is empty: tgtd would refuse every login",
                fix: "list the hypervisors, e.g. `initiators: [\(spec.hypervisors.map(\.name).joined(separator: ", "))]`")
        }
        for (slot, entry) in target.initiators.enumerated() {
            let field = "\(path).initiators[\(slot)]"
            if let host = spec.host(named: entry) {
                if !host.has(.hypervisor) {
                    warning(field, "\(entry) is not a hypervisor")
                }
            } else if entry.hasPrefix("iqn.") || entry.hasPrefix("eui.") {
                if let problem = IQN.problem(entry) { error(field, "\"\(entry.debugEscaped)\" \(problem)") }
            } else {
                error(field, "\"\(entry.debugEscaped)\" is neither a host in hosts nor an IQN",
                    fix: suggestion(for: entry, among: spec.hosts.map(\.name)).map { "did you mean \"\($0)\"?" }
                        ?? "name a hypervisor or write its iqn.… name")
            }
        }
        if target.implementation == .lio {
            if target.chap == nil && !target.initiators.isEmpty {
                warning("\(path).initiators", "LIO admits an initiator by its name alone (it has no address ACL), and names are not authentication: any host that claims a listed name logs in",
                    fix: "set `chap:` (storagekit gives every ACL the target's user and secret)")
            }
        } else {
            checkTgtInitiatorAddresses(target, at: path)
        }
        let allowed = Set(spec.initiatorNames(of: target))
        for host in spec.hypervisors where !allowed.contains(spec.initiatorName(of: host)) && !target.initiators.isEmpty {
            warning("\(path).initiators", "hypervisor \(host.name) is not an initiator: VMs on this target cannot migrate to it",
                fix: "add \(host.name) to initiators")
        }
    }

    /// tgtd admits a listed initiator name OR a listed address.
    private mutating func checkTgtInitiatorAddresses(_ target: ISCSITarget, at path: String) {
        let acl = spec.initiatorACL(of: target)
        let iqnEntries = acl.names.filter { $0.hasPrefix("iqn.") || $0.hasPrefix("eui.") }
        if !iqnEntries.isEmpty {
            if acl.addresses.isEmpty && iqnEntries.count == acl.names.count {
                error("\(path).initiators", "lists only IQNs: tgt-admin opens a target without an initiator-address to ALL initiators",
                    fix: "list the hypervisors by host name (storagekit then allows their addresses)")
            } else {
                warning("\(path).initiators", "\(iqnEntries.joined(separator: ", ")) may log in from any address: tgtd admits a listed name OR a listed address, and names are not authentication",
                    fix: "list hypervisors by host name, and set `chap:`")
            }
        }
    }

    private mutating func checkCHAP(_ chap: CHAPSpec, at path: String) {
        if !chap.username.isEmpty && !Names.isToken(chap.username, maxLength: 255) {
            error("\(path).username", "\"\(chap.username.debugEscaped)\" must be letters, digits, . _ - (no spaces)")
        }
        guard !chap.secretFile.isEmpty else { return }
        checkAbsolutePath(chap.secretFile, at: "\(path).secretFile")
        guard chap.secretFile.hasPrefix("/") else { return }
        let length: Int
        switch secretFile(chap.secretFile) {
        case .missing:
            error("\(path).secretFile", "\(chap.secretFile) does not exist",
                fix: "create it: install -m 600 /dev/null \(chap.secretFile) && openssl rand -hex 8 > \(chap.secretFile)")
            return
        case .unreadable(let reason):
            error("\(path).secretFile", "\(chap.secretFile) cannot be read: \(reason)", fix: "run as root or fix its permissions")
            return
        case .readableByOthers(let mode, let size):
            warning("\(path).secretFile", "\(chap.secretFile) is readable by others (mode \(String(mode, radix: 8)))",
                fix: "chmod 600 \(chap.secretFile)")
            length = size
        case .ok(let size):
            length = size
        }
        if length == 0 {
            error("\(path).secretFile", "\(chap.secretFile) is empty", fix: "write the secret (12-16 characters) into it")
        } else if length < 12 || length > 16 {
            warning("\(path).secretFile", "the secret is \(length) characters; many initiators (Windows, VMware, some open-iscsi builds) need 12-16")
        }
    }
}
