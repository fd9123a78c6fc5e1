import StorageFacts
import StorageModel

/// The same path on every hypervisor: mountPath exists, (with kernel facts) the same source and
/// filesystem mounted there, and for raw iSCSI the same /dev/mapper device everywhere.
enum PathRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        let spec = context.spec
        var findings: [Finding] = []
        var mounted: [String: [(host: String, source: String, fstype: String, options: [String])]] = [:]
        for (host, facts) in context.sharing {
            let mounts = spec.sharedMounts(of: host)
            let mount = context.command("mount --host \(host.name)")
            for path in Set(mounts.map(\.mountPoint) + [spec.mountPath]).sorted() {
                guard let seen = facts.paths.first(where: { $0.path == path }) else { continue }
                // With nothing storagekit mounts (guests on DRBD or raw LUN devices), `mount`
                // cannot make the path: the directory is the admin's, for guests' configs.
                let fix = mounts.isEmpty ? "mkdir -p \(path) on \(host.name) (nothing is mounted there: guests use block devices)" : mount
                findings.append(seen.exists && seen.isDirectory
                    ? Finding(.pathExists, hosts: [host.name], .pass, "\(path) exists")
                    : Finding(.pathExists, hosts: [host.name], .fail, seen.exists ? "\(path) is not a directory" : "\(path) does not exist", fix: fix))
            }
            switch facts.kernel.mounts {
            case .unknown(let reason):
                if !mounts.isEmpty { findings.append(Finding(.pathMountSame, hosts: [host.name], .skip, reason)) }
            case .known(let table):
                for expected in mounts {
                    guard let got = table.last(where: { $0.target == expected.mountPoint }) else {
                        findings.append(Finding(.pathMountSame, hosts: [host.name], .fail, "nothing is mounted on \(expected.mountPoint)", fix: mount))
                        continue
                    }
                    mounted[expected.mountPoint, default: []].append((host.name, got.source, got.fstype, got.options))
                    let typeMatches = expected.type == "nfs" ? got.fstype.hasPrefix("nfs") : expected.type == "none" || got.fstype == expected.type
                    let sourceMatches = expected.type == "none" || got.source == expected.what
                    if !(typeMatches && sourceMatches) {
                        findings.append(Finding(.pathMountSame, hosts: [host.name], .fail,
                                                "\(expected.mountPoint) has \(got.source) (\(got.fstype)), the spec wants \(expected.what) (\(expected.type))",
                                                fix: "umount \(expected.mountPoint) on \(host.name), then \(mount)"))
                    }
                }
            }
        }
        for (path, seen) in mounted.sorted(by: { $0.key < $1.key }) {
            let kinds = Set(seen.map { "\($0.source) (\($0.fstype))" })
            if kinds.count == 1, !findings.contains(where: { $0.check == .pathMountSame && $0.status == .fail }) {
                findings.append(Finding(.pathMountSame, hosts: seen.map(\.host), .pass, "\(path) is \(kinds.first!) on every host"))
            }
        }
        for (path, seen) in mounted.sorted(by: { $0.key < $1.key }) where seen.count > 1 && seen.allSatisfy({ $0.fstype.hasPrefix("nfs") }) {
            findings.append(sameOptions(path, seen.map { ($0.host, $0.options) }, context))
        }
        if let iscsi = spec.iscsi, iscsi.filesystem == .none {
            for (host, facts) in context.sharing where !context.targets(reachableBy: host).isEmpty {
                guard let maps = facts.kernel.multipath.value else {
                    findings.append(Finding(.pathDeviceSame, hosts: [host.name], .skip, facts.kernel.multipath.reason ?? ""))
                    continue
                }
                for (target, lun) in iscsi.allLUNs where context.targets(reachableBy: host).contains(where: { $0.iqn == target.iqn }) {
                    let alias = spec.multipathAlias(of: target, lun)
                    let wwid = spec.identity(of: target, lun).wwid
                    findings.append(maps.contains { $0.alias == alias && $0.wwid == wwid }
                        ? Finding(.pathDeviceSame, hosts: [host.name], .pass, "/dev/mapper/\(alias) is WWID \(wwid)")
                        : Finding(.pathDeviceSame, hosts: [host.name], .fail, "/dev/mapper/\(alias) is not WWID \(wwid) here",
                                  fix: context.command("multipath setup --host \(host.name)")))
                }
            }
        }
        return findings
    }

    /// NFS options that decide whether two hosts share an image safely: the protocol version,
    /// hard or soft, locking (with `nolock` qemu's image locks stop protecting an image two hosts
    /// open), sync, and attribute caching.
    static func migrationOptions(_ options: [String]) -> [String] {
        options.filter { option in
            let key = option.split(separator: "=").first.map(String.init) ?? option
            return ["vers", "nfsvers", "hard", "soft", "nolock", "local_lock", "sync", "noac", "acregmin", "acregmax", "acdirmin", "acdirmax", "lookupcache"].contains(key)
        }.sorted()
    }

    static func sameOptions(_ path: String, _ seen: [(host: String, options: [String])], _ context: CheckContext) -> Finding {
        let show = { (key: String) in key.isEmpty ? "defaults" : key }
        let outliers = Outliers(seen.map { (host: $0.host, key: migrationOptions($0.options).joined(separator: ",")) })
        guard !outliers.agree else {
            return Finding(.pathMountOptions, hosts: seen.map(\.host), .pass, "\(path) is mounted with the same options on every host (\(show(outliers.usual ?? "")))")
        }
        return Finding(.pathMountOptions, hosts: outliers.odd, .fail,
                       "\(path) is mounted with other options on some hosts (\(outliers.described(show))): with nolock on one host qemu's image locks no longer keep two hosts off one image, and soft mounts or other caching lose or hide writes across a migration",
                       fix: outliers.odd.map { "umount \(path) on \($0)" }.joined(separator: ", ") + ", then " + context.command("mount"))
    }
}
