import Foundation
import StorageModel

/// Reads LIO's configfs in two steps, both plain tools run as argv on the target host:
/// `find` lists its directories and links (`treeCommand`), then `grep -H ''` prints the values
/// of the files that matter (`valueFiles(tree:)`), each line as `PATH:VALUE`.
public enum LIOConfigfsParser {
    public static let root = "/sys/kernel/config/target"

    /// argv listing every object directory and link, one `TYPE<TAB>PATH<TAB>LINK` line each.
    /// The per-object statistics, ALUA and persistent-reservation trees are not read.
    public static let treeCommand = [
        "find", root, "-mindepth", "1", "-maxdepth", "7",
        "(", "-name", "statistics", "-o", "-name", "fabric_statistics", "-o", "-name", "alua", "-o", "-name", "pr", "-o", "-name", "discovery_auth", ")",
        "-prune", "-o", "(", "-type", "d", "-o", "-type", "l", ")", "-printf", "%y\\t%p\\t%l\\n",
    ]

    static let tool = "find /sys/kernel/config/target"

    /// The entries of `tree` that are directories or links, below `root`, by relative path.
    static func entries(_ tree: String) throws(ToolOutputError) -> [(kind: Character, path: [Substring], link: String)] {
        var result: [(Character, [Substring], String)] = []
        for (index, line) in tree.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let kind = fields[0].first, fields[0].count == 1, kind == "d" || kind == "l",
                fields[1].hasPrefix(root + "/")
            else {
                throw ToolOutputError(tool: tool, line: index + 1, text: String(line), reason: "each line is d or l, a path under \(root), and a link target")
            }
            result.append((kind, fields[1].dropFirst(root.count + 1).split(separator: "/"), String(fields[2])))
        }
        return result
    }

    /// The files whose values `parse` needs, as absolute paths, for `grep -H ''`.
    public static func valueFiles(tree: String) throws(ToolOutputError) -> [String] {
        var files: [String] = []
        for entry in try entries(tree) where entry.kind == "d" {
            let path = entry.path
            let base = root + "/" + path.joined(separator: "/")
            if path.count == 3, path[0] == "core", isHBA(path[1]) {
                files += ["udev_path", "info", "enable", "wwn/vpd_unit_serial"].map { "\(base)/\($0)" }
            } else if path.count == 3, path[0] == "iscsi", tag(path[2]) != nil {
                files += ["enable", "param/AuthMethod"].map { "\(base)/\($0)" }
                files += tpgAttributes.map { "\(base)/attrib/\($0)" }
            } else if path.count == 5, path[0] == "iscsi", tag(path[2]) != nil, path[3] == "acls" {
                files += ["info", "auth/userid", "auth/password"].map { "\(base)/\($0)" }
            }
        }
        return files
    }

    /// The TPG attributes storagekit sets (and so reads back).
    public static let tpgAttributes = LIOTPGSettings.attributes(chap: false).keys.sorted()

    static func isHBA(_ name: Substring) -> Bool {
        guard let underscore = name.lastIndex(of: "_") else { return false }
        return !name[..<underscore].isEmpty && Int(name[name.index(after: underscore)...]) != nil
    }

    static func tag(_ name: Substring) -> Int? { name.hasPrefix("tpgt_") ? Int(name.dropFirst(5)) : nil }
    static func lunIndex(_ name: Substring) -> Int? { name.hasPrefix("lun_") ? Int(name.dropFirst(4)) : nil }

    /// `grep -H '' FILES…` output as each file's lines. A path may hold `:` (IQNs do), so each
    /// line is matched against the files asked for, longest first.
    static func values(_ output: String, files: [String]) throws(ToolOutputError) -> [String: [String]] {
        let byLength = files.sorted { $0.count > $1.count }
        var result: [String: [String]] = [:]
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            guard let file = byLength.first(where: { line.hasPrefix($0 + ":") }) else {
                throw ToolOutputError(tool: "grep -H '' (LIO configfs values)", line: index + 1, text: String(line.prefix(160)), reason: "each line is PATH:VALUE for a file asked for")
            }
            result[file, default: []].append(String(line.dropFirst(file.count + 1)))
        }
        return result
    }

    /// The live state from the two outputs. Throws on a line of either that is not theirs.
    public static func parse(tree: String, values output: String) throws(ToolOutputError) -> LIOLiveState {
        let entries = try entries(tree)
        let values = try values(output, files: try valueFiles(tree: tree))
        func value(_ path: [Substring], _ file: String) -> String? {
            values[root + "/" + path.joined(separator: "/") + "/" + file]?.first
        }
        func lines(_ path: [Substring], _ file: String) -> [String] {
            values[root + "/" + path.joined(separator: "/") + "/" + file] ?? []
        }
        var state = LIOLiveState(iscsiFabric: entries.contains { $0.kind == "d" && $0.path == ["iscsi"] })
        for entry in entries where entry.kind == "d" && entry.path.count == 3 && entry.path[0] == "core" && isHBA(entry.path[1]) {
            let path = entry.path
            let size = lines(path, "info").lazy.compactMap(Self.size).first
            let serial = value(path, "wwn/vpd_unit_serial").flatMap(Self.serial)
            let dev = value(path, "udev_path").flatMap { $0.isEmpty ? nil : $0 }
            state.storageObjects.append(LIOLiveState.StorageObject(
                hba: String(path[1]), name: String(path[2]), dev: dev, size: size, serial: serial, enabled: value(path, "enable") == "1"))
        }
        let iscsi = entries.filter { $0.path.first == "iscsi" }
        for target in iscsi where target.kind == "d" && target.path.count == 2 {
            var live = LIOLiveState.Target(iqn: String(target.path[1]))
            for tpgEntry in iscsi where tpgEntry.kind == "d" && tpgEntry.path.count == 3 && tpgEntry.path[1] == target.path[1] {
                guard let tag = tag(tpgEntry.path[2]) else { continue }
                let tpgPath = tpgEntry.path
                var tpg = LIOLiveState.TPG(tag: tag, enabled: value(tpgPath, "enable") == "1", authMethod: value(tpgPath, "param/AuthMethod"))
                for name in tpgAttributes { if let found = value(tpgPath, "attrib/\(name)") { tpg.attributes[name] = found } }
                let below = iscsi.filter { $0.path.count > 3 && Array($0.path.prefix(3)) == tpgPath }
                for entry in below {
                    let rest = Array(entry.path.dropFirst(3))
                    switch (entry.kind, rest.count, rest.first) {
                    case ("d", 2, "np"?):
                        guard let portal = Portal(String(rest[1])) else {
                            throw ToolOutputError(tool: tool, text: "portal directory \(rest[1]) is not ADDRESS:PORT")
                        }
                        tpg.portals.append(portal)
                    case ("d", 2, "lun"?):
                        if let index = lunIndex(rest[1]), tpg.luns[index] == nil { tpg.luns[index] = LIOLiveState.Link() }
                    case ("l", 3, "lun"?):
                        if let index = lunIndex(rest[1]) { tpg.luns[index] = LIOLiveState.Link(name: String(rest[2]), pointee: Self.objectPath(entry.link)) }
                    case ("d", 2, "acls"?):
                        let aclPath = entry.path
                        tpg.acls.append(LIOLiveState.ACL(
                            initiator: String(rest[1]), userid: value(aclPath, "auth/userid").flatMap { $0.isEmpty ? nil : $0 },
                            password: value(aclPath, "auth/password").flatMap { $0.isEmpty ? nil : $0 },
                            loggedIn: lines(aclPath, "info").contains { $0.contains("TARG_SESS_STATE_LOGGED_IN") }))
                    default: break
                    }
                }
                // Mapped LUNs, once every ACL is known.
                for entry in below {
                    let rest = Array(entry.path.dropFirst(3))
                    guard rest.count >= 3, rest[0] == "acls", let mapped = lunIndex(rest[2]),
                        let acl = tpg.acls.firstIndex(where: { $0.initiator == rest[1] }) else { continue }
                    if entry.kind == "d", rest.count == 3, tpg.acls[acl].mappedLUNs[mapped] == nil { tpg.acls[acl].mappedLUNs[mapped] = LIOLiveState.Link() }
                    if entry.kind == "l", rest.count == 4 {
                        let pointed = entry.link.split(separator: "/").last.flatMap(lunIndex)
                        tpg.acls[acl].mappedLUNs[mapped] = LIOLiveState.Link(name: String(rest[3]), pointee: pointed)
                    }
                }
                live.tpgs.append(tpg)
            }
            state.targets.append(live)
        }
        return state
    }

    /// `core/fileio_0/vmstore-1` from a LUN's link (`../../../../../../target/core/fileio_0/vmstore-1`).
    static func objectPath(_ link: String) -> String? {
        let parts = link.split(separator: "/")
        guard let core = parts.lastIndex(of: "core"), parts.count == core + 3 else { return nil }
        return parts[core...].joined(separator: "/")
    }

    /// `Size: 134217728` in a storage object's info (not its `SectorSize: 512`).
    static func size(_ line: String) -> UInt64? {
        guard let range = line.range(of: " Size: ") else { return nil }
        return UInt64(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// `T10 VPD Unit Serial Number: SK…` (nothing after the colon: none set).
    static func serial(_ line: String) -> String? {
        guard let range = line.range(of: "Unit Serial Number:") else { return nil }
        let serial = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
        return serial.isEmpty ? nil : serial
    }
}
