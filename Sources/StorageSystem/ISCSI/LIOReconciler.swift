import StorageFacts
import StorageModel

/// One configfs change, below /sys/kernel/config/target. LIO is configured by making and
/// removing directories, linking them and writing attribute files; nothing else is needed, and
/// unlike `targetctl restore` (which clears the whole target and drops every session) only
/// what differs is touched.
public enum LIOStep: Sendable, Equatable {
    case makeDirectory(String)
    case removeDirectory(String)
    /// A link at the second path to the first.
    case link(String, at: String)
    case unlink(String)
    case write(String, String)
    /// The value comes from this file of the machine running storagekit, at apply time.
    case writeSecret(String, file: String)

    static func absolute(_ path: String) -> String { LIOConfigfsParser.root + "/" + path }

    /// The step as argv, values on stdin (a secret never in argv).
    public func command(secret: String? = nil) -> Command {
        switch self {
        case .makeDirectory(let path): Command("mkdir", ["--", Self.absolute(path)], timeout: .seconds(30))
        case .removeDirectory(let path): Command("rmdir", ["--", Self.absolute(path)], timeout: .seconds(60))
        case .link(let target, let path): Command("ln", ["-s", "--", Self.absolute(target), Self.absolute(path)], timeout: .seconds(30))
        case .unlink(let path): Command("rm", ["--", Self.absolute(path)], timeout: .seconds(60))
        case .write(let path, let value): Command("dd", ["of=\(Self.absolute(path))", "status=none"], timeout: .seconds(60), stdin: value)
        case .writeSecret(let path, _): Command("dd", ["of=\(Self.absolute(path))", "status=none"], timeout: .seconds(30), stdin: secret ?? "")
        }
    }
}

/// A change to live LIO as `plan` shows it, and its configfs steps.
public struct LIOOperation: Sendable, Equatable {
    public var summary: String
    public var steps: [LIOStep]
}

/// The configfs steps that turn live LIO into the desired one, and only those. Targets not in
/// the spec, and storage objects none of its LUNs name, are left alone (another tool may own
/// them). A change that would pull a LUN or an ACL from under a logged-in initiator is a
/// conflict: apply refuses it without --force.
public enum LIOReconciler {
    public struct Result: Sendable, Equatable {
        public var operations: [LIOOperation]
        public var conflicts: [TargetConflict]
        public var notes: [String]
    }

    public static func reconcile(desired: [LIODesiredTarget], live: LIOLiveState, secrets: [String: String]) -> Result {
        var removals: [LIOOperation] = []
        var objectChanges: [LIOOperation] = []
        var additions: [LIOOperation] = []
        var conflicts: [TargetConflict] = []
        var notes: [String] = []
        var objects = live.storageObjects

        // Storage objects: kept when they match, replaced when not (with the LUNs exporting them).
        var objectPath: [String: String] = [:]
        var replaced = Set<String>()
        for object in desired.flatMap(\.luns).map(\.object) where objectPath[object.name] == nil {
            if let found = objects.first(where: { $0.name == object.name && $0.plugin == object.plugin.hbaPrefix }) {
                let differences = Self.differences(found, object)
                if differences.isEmpty {
                    objectPath[object.name] = found.path
                    if !found.enabled { objectChanges.append(LIOOperation(summary: "enable storage object \(found.path)", steps: [.write("\(found.path)/enable", "1")])) }
                    continue
                }
                replaced.insert(found.path)
                objectChanges.append(LIOOperation(summary: "remove storage object \(found.path) (\(differences.joined(separator: ", ")))",
                                                  steps: [.removeDirectory(found.path), .removeDirectory("core/\(found.hba)")]))
                objects.removeAll { $0.path == found.path }
            }
            let hba = Self.freeHBA(object.plugin.hbaPrefix, taken: Set(objects.map(\.hba)))
            let path = "core/\(hba)/\(object.name)"
            objects.append(LIOLiveState.StorageObject(hba: hba, name: object.name, enabled: true))
            objectPath[object.name] = path
            let control = object.plugin == .fileio ? "fd_dev_name=\(object.dev)" + (object.size.map { ",fd_dev_size=\($0)" } ?? "") : "udev_path=\(object.dev)"
            objectChanges.append(LIOOperation(
                summary: "create storage object \(path) on \(object.dev)\(object.size.map { " (\($0) bytes)" } ?? ""), serial \(object.serial)",
                steps: [.makeDirectory("core/\(hba)"), .makeDirectory(path), .write("\(path)/control", control), .write("\(path)/udev_path", object.dev),
                        .write("\(path)/enable", "1"), .write("\(path)/wwn/vpd_unit_serial", object.serial)]))
        }

        if !live.iscsiFabric && !desired.isEmpty {
            additions.append(LIOOperation(summary: "register LIO's iSCSI fabric", steps: [.makeDirectory("iscsi")]))
        }
        for target in desired {
            let current = live.targets.first { $0.iqn == target.iqn }
            let tpg = current?.tpgs.first { $0.tag == LIOTPGSettings.tag }
            let base = "iscsi/\(target.iqn)/tpgt_\(LIOTPGSettings.tag)"
            let acls = tpg?.acls ?? []
            let loggedIn = acls.filter(\.loggedIn).map(\.initiator).sorted()
            func users(ofLUN index: Int) -> [String] {
                acls.filter { $0.loggedIn && $0.mappedLUNs.values.contains { $0.pointee == index } }.map(\.initiator).sorted()
            }
            func risky(_ change: String, _ initiators: [String]) {
                if !initiators.isEmpty { conflicts.append(TargetConflict(iqn: target.iqn, change: change, initiators: initiators)) }
            }
            func unmap(_ initiator: String, _ index: Int, _ link: LIOLiveState.Link<Int>) -> [LIOStep] {
                let directory = "\(base)/acls/\(initiator)/lun_\(index)"
                return (link.name.map { [.unlink("\(directory)/\($0)")] } ?? []) + [.removeDirectory(directory)]
            }
            var add: [LIOOperation] = []
            var remove: [LIOOperation] = []
            if current == nil { add.append(LIOOperation(summary: "create target \(target.iqn)", steps: [.makeDirectory("iscsi/\(target.iqn)")])) }
            if tpg == nil { add.append(LIOOperation(summary: "create TPG \(LIOTPGSettings.tag) of \(target.iqn)", steps: [.makeDirectory(base)])) }
            for (name, value) in target.attributes.sorted(by: { $0.key < $1.key }) where tpg?.attributes[name] != value {
                add.append(LIOOperation(summary: "set \(name) = \(value) on \(target.iqn)", steps: [.write("\(base)/attrib/\(name)", value)]))
            }
            if tpg?.authMethod != target.authMethod {
                add.append(LIOOperation(summary: "set AuthMethod = \(target.authMethod) on \(target.iqn)", steps: [.write("\(base)/param/AuthMethod", target.authMethod)]))
            }
            for portal in target.portals where !(tpg?.portals.contains(portal) ?? false) {
                add.append(LIOOperation(summary: "listen on portal \(portal) for \(target.iqn)", steps: [.makeDirectory("\(base)/np/\(portal)")]))
            }
            for portal in tpg?.portals ?? [] where !target.portals.contains(portal) {
                risky("portal \(portal) is removed", loggedIn)
                remove.append(LIOOperation(summary: "stop listening on portal \(portal) for \(target.iqn)", steps: [.removeDirectory("\(base)/np/\(portal)")]))
            }

            // LUNs: the wanted object at each index; anything else goes, unmapped first.
            var dropped = Set<Int>()
            for (index, export) in (tpg?.luns ?? [:]).sorted(by: { $0.key < $1.key }) {
                let wanted = target.luns.first { $0.lun == index }.flatMap { objectPath[$0.object.name] }
                if let wanted, export.pointee == wanted, !replaced.contains(wanted) { continue }
                risky(wanted == nil ? "LUN \(index) is removed" : "LUN \(index) changes from \(export.pointee ?? "nothing") to \(wanted!)", users(ofLUN: index))
                var steps: [LIOStep] = []
                for acl in acls {
                    for (mapped, link) in acl.mappedLUNs.sorted(by: { $0.key < $1.key }) where link.pointee == index { steps += unmap(acl.initiator, mapped, link) }
                }
                if let name = export.name { steps.append(.unlink("\(base)/lun/lun_\(index)/\(name)")) }
                steps.append(.removeDirectory("\(base)/lun/lun_\(index)"))
                remove.append(LIOOperation(summary: "remove LUN \(index) of \(target.iqn)", steps: steps))
                dropped.insert(index)
            }
            for lun in target.luns where tpg?.luns[lun.lun] == nil || dropped.contains(lun.lun) {
                guard let path = objectPath[lun.object.name] else { continue }
                add.append(LIOOperation(summary: "export \(path) as LUN \(lun.lun) of \(target.iqn)",
                                        steps: [.makeDirectory("\(base)/lun/lun_\(lun.lun)"), .link(path, at: "\(base)/lun/lun_\(lun.lun)/\(lun.object.name)")]))
            }

            // ACLs: the listed initiators, each with the CHAP account and every LUN mapped.
            for acl in acls where !target.initiators.contains(acl.initiator) {
                if acl.loggedIn { risky("\(acl.initiator) is no longer allowed", [acl.initiator]) }
                var steps: [LIOStep] = []
                for (mapped, link) in acl.mappedLUNs.sorted(by: { $0.key < $1.key }) where !(link.pointee.map(dropped.contains) ?? false) {
                    steps += unmap(acl.initiator, mapped, link)
                }
                steps.append(.removeDirectory("\(base)/acls/\(acl.initiator)"))
                remove.append(LIOOperation(summary: "stop allowing \(acl.initiator) on \(target.iqn)", steps: steps))
            }
            for initiator in target.initiators {
                let acl = acls.first { $0.initiator == initiator }
                let path = "\(base)/acls/\(initiator)"
                if acl == nil { add.append(LIOOperation(summary: "allow initiator \(initiator) on \(target.iqn)", steps: [.makeDirectory(path)])) }
                if let user = target.chapUser, let file = target.chapSecretFile {
                    if acl?.userid != user { add.append(LIOOperation(summary: "set CHAP user \(user) for \(initiator)", steps: [.write("\(path)/auth/userid", user)])) }
                    if acl?.password == nil || acl?.password != secrets[file] {
                        add.append(LIOOperation(summary: "set the CHAP secret (from \(file)) for \(initiator)", steps: [.writeSecret("\(path)/auth/password", file: file)]))
                    }
                }
                for (mapped, link) in (acl?.mappedLUNs ?? [:]).sorted(by: { $0.key < $1.key }) where !(link.pointee.map(dropped.contains) ?? false) {
                    let wanted = target.luns.contains { $0.lun == mapped }
                    if wanted && link.pointee == mapped { continue }
                    if acl?.loggedIn == true { risky("LUN \(mapped) of \(initiator) is \(wanted ? "mapped anew" : "no longer mapped")", [initiator]) }
                    remove.append(LIOOperation(summary: "unmap LUN \(mapped) from \(initiator) on \(target.iqn)", steps: unmap(initiator, mapped, link)))
                }
                for lun in target.luns {
                    if let link = acl?.mappedLUNs[lun.lun], link.pointee == lun.lun, !dropped.contains(lun.lun) { continue }
                    add.append(LIOOperation(summary: "map LUN \(lun.lun) of \(target.iqn) to \(initiator)",
                                            steps: [.makeDirectory("\(path)/lun_\(lun.lun)"), .link("\(base)/lun/lun_\(lun.lun)", at: "\(path)/lun_\(lun.lun)/lun")]))
                }
            }
            if !(tpg?.enabled ?? false) { add.append(LIOOperation(summary: "enable TPG \(LIOTPGSettings.tag) of \(target.iqn)", steps: [.write("\(base)/enable", "1")])) }
            removals += remove
            additions += add
        }
        let wanted = Set(desired.map(\.iqn))
        for target in live.targets where !wanted.contains(target.iqn) { notes.append("LIO target \(target.iqn) is not in the spec: left alone") }
        let used = Set(objectPath.values).union(live.targets.filter { !wanted.contains($0.iqn) }.flatMap { $0.tpgs.flatMap { $0.luns.values.compactMap(\.pointee) } })
        for object in objects where !used.contains(object.path) { notes.append("LIO storage object \(object.path) is not in the spec: left alone") }
        return Result(operations: removals + objectChanges + additions, conflicts: conflicts, notes: notes)
    }

    /// What differs between a live object and the wanted one (empty: keep it).
    static func differences(_ live: LIOLiveState.StorageObject, _ wanted: LIOStorageObject) -> [String] {
        var found: [String] = []
        if live.dev != wanted.dev { found.append("its file is \(live.dev ?? "unset"), the spec says \(wanted.dev)") }
        if let size = wanted.size, live.size != size { found.append("its size is \(live.size.map(String.init) ?? "unknown"), the spec says \(size)") }
        if live.serial != wanted.serial { found.append("its serial is \(live.serial ?? "unset"), the spec says \(wanted.serial)") }
        return found
    }

    /// The first `PREFIX_N` HBA directory not taken.
    static func freeHBA(_ prefix: String, taken: Set<String>) -> String {
        var index = 0
        while taken.contains("\(prefix)_\(index)") { index += 1 }
        return "\(prefix)_\(index)"
    }
}
