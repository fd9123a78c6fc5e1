import StorageFacts
import StorageModel

/// One fact checked on a server after setup.
public struct VerifiedFact: Sendable, Equatable {
    public var ok: Bool
    public var text: String
}

/// After `setup nfs`: every pinned port registered with rpcbind at its number, every export
/// listed for its clients, asked with the standard tools under deadlines from a host that is
/// one of the clients (through the firewall, as a hypervisor will; nfs-ganesha lists an export
/// only to a client allowed to mount it), else from the server.
public struct NFSServerVerifier: Sendable {
    public let spec: ClusterSpec
    public let files: HostFiles

    public init(spec: ClusterSpec, files: HostFiles) {
        self.spec = spec
        self.files = files
    }

    /// The spec host to ask from, never the server: the first whose address the first export
    /// lists, else the first hypervisor its clients admit (inside a client network such as
    /// 10.96.10.0/24, the usual way clients are given).
    public static func clientHost(_ spec: ClusterSpec) -> Host? {
        guard let nfs = spec.nfs, let export = nfs.exports.first else { return nil }
        let candidates = spec.hosts.filter { $0.name != nfs.server }
        return candidates.first { $0.addresses.contains(where: export.clients.contains) }
            ?? candidates.first { $0.has(.hypervisor) && export.admits($0) }
    }

    /// rpcinfo's service names and the spec port each must have.
    func expectedPorts(_ nfs: NFSSpec) -> [(service: String, port: Int)] {
        nfs.pinnedDaemons.map { ($0.rpcName, $0.port) }
    }

    public func verify(attempts: Int = 30) async -> [VerifiedFact] {
        guard let nfs = spec.nfs, let address = spec.nfsServerAddress else { return [] }
        var facts: [VerifiedFact] = []
        // ganesha registers its programs a few seconds after it starts.
        for attempt in 1...attempts {
            facts = await checkOnce(nfs, address)
            if facts.allSatisfy(\.ok) || attempt == attempts { break }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return facts
    }

    private func checkOnce(_ nfs: NFSSpec, _ address: String) async -> [VerifiedFact] {
        var facts: [VerifiedFact] = []
        do {
            let output = try await files.run(Command("rpcinfo", ["-p", address], timeout: .seconds(10)), "asking rpcbind on \(address)")
            let rows = try RpcinfoParser.parse(output.stdout)
            for (service, port) in expectedPorts(nfs) {
                let ports = RpcinfoParser.ports(of: service, in: rows, proto: "tcp")
                // Quotas are the only thing rquotad serves; knfsd hosts often run without it.
                if service == "rquotad" && ports.isEmpty {
                    facts.append(VerifiedFact(ok: true, text: "rpcbind (asked from \(files.host)): rquotad not running (quotas only; its port \(port) stays pinned for when it runs)"))
                    continue
                }
                facts.append(VerifiedFact(
                    ok: ports == [port],
                    text: ports == [port] ? "rpcbind (asked from \(files.host)): \(service) at \(port)/tcp" : "rpcbind: \(service) expected at \(port)/tcp, registered at \(ports.isEmpty ? "nothing" : ports.sorted().map(String.init).joined(separator: ", "))"))
            }
        } catch {
            facts.append(VerifiedFact(ok: false, text: "rpcinfo -p \(address) on \(files.host): \(error)"))
        }
        do {
            let output = try await files.run(Command("showmount", ["-e", address], timeout: .seconds(10)), "listing exports of \(address)")
            let listed = try ShowmountParser.parse(output.stdout)
            for export in nfs.exports {
                let clients = Set((listed.first { $0.path == export.path }?.clients ?? []).map { $0.hasSuffix("/32") ? String($0.dropLast(3)) : $0 })
                let wanted = Set(export.clients)
                let ok = wanted.isSubset(of: clients)
                facts.append(VerifiedFact(
                    ok: ok,
                    text: ok ? "showmount (from \(files.host)): \(export.path) exported to \(export.clients.joined(separator: ", "))"
                        : "showmount: \(export.path) should be exported to \(export.clients.joined(separator: ", ")), is to \(clients.isEmpty ? "nobody" : clients.sorted().joined(separator: ", "))"))
            }
        } catch {
            facts.append(VerifiedFact(ok: false, text: "showmount -e \(address): \(error)"))
        }
        return facts
    }
}

/// After `setup iscsi-target`: tgtd's and LIO's live state read back and compared with the spec.
public struct ISCSITargetVerifier: Sendable {
    public let spec: ClusterSpec
    public let files: HostFiles

    public init(spec: ClusterSpec, files: HostFiles) {
        self.spec = spec
        self.files = files
    }

    public func verify() async -> [VerifiedFact] {
        await verifyTgt() + verifyLIO()
    }

    func verifyLIO() async -> [VerifiedFact] {
        let desired = LIODesiredTarget.all(spec, host: files.host)
        guard !desired.isEmpty else { return [] }
        let live: LIOLiveState
        do {
            guard let read = try await LIOLiveState.read(files) else { return [VerifiedFact(ok: false, text: "LIO is not loaded (no \(LIOConfigfsParser.root))")] }
            live = read
        } catch {
            return [VerifiedFact(ok: false, text: error.description)]
        }
        var facts: [VerifiedFact] = []
        for target in desired {
            guard let tpg = live.targets.first(where: { $0.iqn == target.iqn })?.tpgs.first(where: { $0.tag == LIOTPGSettings.tag }) else {
                facts.append(VerifiedFact(ok: false, text: "LIO does not serve \(target.iqn)"))
                continue
            }
            facts.append(VerifiedFact(ok: tpg.enabled, text: "\(target.iqn) TPG \(tpg.tag) \(tpg.enabled ? "enabled" : "NOT enabled")"))
            let portals = Set(tpg.portals)
            facts.append(VerifiedFact(ok: portals == Set(target.portals), text: "\(target.iqn) portals: \(tpg.portals.map(\.description).sorted().joined(separator: ", "))"))
            for lun in target.luns {
                let object = tpg.luns[lun.lun]?.pointee.flatMap { path in live.storageObjects.first { $0.path == path } }
                let ok = object?.serial == lun.object.serial && object?.dev == lun.object.dev && object?.enabled == true
                facts.append(VerifiedFact(ok: ok, text: ok
                    ? "\(target.iqn) LUN \(lun.lun): serial \(lun.object.serial), \(lun.object.dev)"
                    : "\(target.iqn) LUN \(lun.lun): expected serial \(lun.object.serial) on \(lun.object.dev), LIO has \(object.map { "\($0.serial ?? "no serial") on \($0.dev ?? "nothing")" } ?? "no such LUN")"))
            }
            let acl = tpg.acls.map(\.initiator).sorted()
            let mapped = tpg.acls.allSatisfy { acl in target.luns.allSatisfy { acl.mappedLUNs[$0.lun]?.pointee == $0.lun } }
            facts.append(VerifiedFact(ok: acl == target.initiators.sorted() && mapped,
                                      text: "\(target.iqn) ACL: \(acl.joined(separator: ", "))\(mapped ? "" : " (not every LUN mapped)")\(acl == target.initiators.sorted() ? "" : " (expected \(target.initiators.sorted().joined(separator: ", ")))")"))
            if let user = target.chapUser {
                let set = tpg.acls.allSatisfy { $0.userid == user } && tpg.attributes["authentication"] == "1"
                facts.append(VerifiedFact(ok: set, text: "\(target.iqn) CHAP: user \(user) \(set ? "required" : "NOT required") of every initiator"))
            }
        }
        return facts
    }

    func verifyTgt() async -> [VerifiedFact] {
        let desired = TgtDesiredTarget.all(spec, host: files.host)
        guard !desired.isEmpty else { return [] }
        let live: TgtLiveState
        do { live = try await TgtLiveState.read(files) } catch { return [VerifiedFact(ok: false, text: error.description)] }
        var facts: [VerifiedFact] = []
        for target in desired {
            guard let current = live.targets.first(where: { $0.iqn == target.iqn }) else {
                facts.append(VerifiedFact(ok: false, text: "tgtd does not serve \(target.iqn)"))
                continue
            }
            for lun in target.luns {
                let got = current.luns.first { $0.lun == lun.lun }
                let ok = got?.serial == lun.serial && got?.scsiID == lun.scsiID && got?.backingStorePath == lun.backingStore
                facts.append(VerifiedFact(ok: ok, text: ok
                    ? "\(target.iqn) LUN \(lun.lun): serial \(lun.serial), scsi_id \(lun.scsiID), \(lun.backingStore)"
                    : "\(target.iqn) LUN \(lun.lun): expected serial \(lun.serial) on \(lun.backingStore), tgtd has \(got.map { "\($0.serial) on \($0.backingStorePath ?? "nothing")" } ?? "no such LUN")"))
            }
            let acl = Set(current.acl)
            let wanted = Set(target.initiatorAddresses + target.initiatorNames)
            facts.append(VerifiedFact(ok: acl == wanted, text: "\(target.iqn) ACL: \(current.acl.joined(separator: ", "))\(acl == wanted ? "" : " (expected \(wanted.sorted().joined(separator: ", ")))")"))
            if let user = target.chapUser {
                let bound = current.accounts.contains { $0 == user || $0.hasPrefix(user + " ") }
                facts.append(VerifiedFact(ok: bound, text: "\(target.iqn) CHAP: account \(user) \(bound ? "required" : "NOT bound")"))
            }
        }
        return facts
    }
}
