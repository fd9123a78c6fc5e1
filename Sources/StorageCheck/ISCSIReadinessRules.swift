import StorageFacts
import StorageModel

/// iSCSI from each hypervisor: portal, discovery, login, every LUN through every portal, the
/// same identity everywhere, no identity shared by two LUNs, and (with kernel facts) sessions
/// and multipath maps.
enum ISCSIReadinessRules {
    static func evaluate(_ context: CheckContext) -> [Finding] {
        guard let iscsi = context.spec.iscsi else { return [] }
        let spec = context.spec
        var findings: [Finding] = []
        let setupTarget = context.command("setup iscsi-target")

        for host in context.hypervisors {
            let reachable = context.targets(reachableBy: host)
            for (index, target) in iscsi.targets.enumerated() where !reachable.contains(where: { $0.iqn == target.iqn }) {
                findings.append(Finding(
                    .iscsiAccess, hosts: [host.name], .warn,
                    "is a hypervisor outside the ACL of \(target.iqn): guests on it cannot use that storage or migrate there",
                    fix: "add \(host.name) to iscsi.targets[\(index)].initiators, then \(setupTarget)"))
            }
        }

        for (host, facts) in context.answered {
            let initiator = spec.initiatorName(of: host)
            for target in context.targets(reachableBy: host) {
                for portal in spec.portals(of: target) {
                    let where_ = "\(target.iqn) via \(portal)"
                    guard let seen = facts.iscsi.first(where: { $0.target == target.iqn && $0.portal == portal.description }) else {
                        findings.append(Finding(.iscsiPortalReachable, hosts: [host.name], .fail, "\(portal) was not probed",
                                                fix: "run the same storagekit version on every host"))
                        continue
                    }
                    switch seen.tcp {
                    case .open:
                        findings.append(Finding(.iscsiPortalReachable, hosts: [host.name], .pass, "\(portal) answers"))
                    case .refused:
                        findings.append(Finding(.iscsiPortalReachable, hosts: [host.name], .fail,
                                                "\(portal) refused the connection: nothing listens there (\(target.implementation == .tgt ? "tgtd down?" : "LIO's configuration not loaded?"))", fix: setupTarget))
                        continue
                    case .timeout:
                        findings.append(Finding(.iscsiPortalReachable, hosts: [host.name], .fail,
                                                "\(portal) did not answer: a firewall drops port \(portal.port), or \(target.server) is down",
                                                fix: context.firewallFix(target.server)))
                        continue
                    case .unreachable:
                        findings.append(Finding(.iscsiPortalReachable, hosts: [host.name], .fail,
                                                "\(portal) is unreachable: \(seen.error?.message ?? "no route")",
                                                fix: "give \(host.name) an address on \(portal.address)'s network (networks: in the spec)"))
                        continue
                    }
                    if let discovered = seen.discovered {
                        findings.append(discovered.contains(target.iqn)
                            ? Finding(.iscsiTargetDiscovered, hosts: [host.name], .pass, "SendTargets via \(portal) lists \(target.iqn)")
                            : Finding(.iscsiTargetDiscovered, hosts: [host.name], .fail,
                                      "SendTargets via \(portal) does not list \(target.iqn) to \(initiator): \(target.implementation.words)'s ACL lacks it",
                                      fix: setupTarget))
                    }
                    if let error = seen.error {
                        let fix: String
                        switch error.code {
                        case .authFailed:
                            fix = "the CHAP secret in \(target.chap?.secretFile ?? "the secret file") must be the one \(target.implementation.words) has: \(setupTarget)"
                        case .timeout: fix = context.firewallFix(target.server)
                        default: fix = setupTarget
                        }
                        findings.append(Finding(.iscsiLoginAccepted, hosts: [host.name], .fail, "\(where_): \(error.message)", fix: fix))
                        continue
                    }
                    findings.append(Finding(.iscsiLoginAccepted, hosts: [host.name], .pass, "\(target.iqn) admits \(host.name) via \(portal)"))
                    for lun in target.luns {
                        guard let got = seen.luns.first(where: { $0.lun == lun.lun }) else {
                            findings.append(Finding(.iscsiLUNVisible, hosts: [host.name], .fail, "LUN \(lun.lun) of \(where_) is not there",
                                                    fix: setupTarget))
                            continue
                        }
                        findings.append(got.ready
                            ? Finding(.iscsiLUNVisible, hosts: [host.name], .pass, "LUN \(lun.lun) of \(target.iqn) seen via \(portal)")
                            : Finding(.iscsiLUNVisible, hosts: [host.name], .fail, "LUN \(lun.lun) of \(where_) is not ready (TEST UNIT READY failed)",
                                      fix: "check the backing store \(lun.backingStore) on \(target.server), then \(setupTarget)"))
                    }
                }
            }
        }
        findings += identity(context)
        findings += kernel(context)
        return findings
    }

    static func sightings(_ context: CheckContext) -> [LUNSighting] {
        context.answered.flatMap { host, facts in
            facts.iscsi.filter { $0.error == nil }.flatMap { seen in
                seen.luns.map { LUNSighting(host: host.name, target: seen.target, portal: seen.portal, lun: $0.lun, serial: $0.serial, wwid: $0.wwid) }
            }
        }
    }

    /// Each LUN: one serial and one WWID from every host and portal, the ones the spec predicts;
    /// no two LUNs with the same serial or WWID (`LUNIdentityRule`).
    static func identity(_ context: CheckContext) -> [Finding] {
        guard context.spec.iscsi != nil else { return [] }
        let all = sightings(context)
        let setupTarget = context.command("setup iscsi-target")
        let (problems, agreed) = LUNIdentityRule.evaluate(all, spec: context.spec)
        var findings: [Finding] = []
        for (target, lun) in context.spec.iscsi?.allLUNs ?? [] {
            if let problem = problems.first(where: { $0.lun?.target == target.iqn && $0.lun?.lun == lun.lun }) {
                findings.append(Finding(.iscsiLUNIdentity, hosts: problem.hosts, .fail, problem.message, fix: problem.fix(setupTarget)))
            } else if let seen = agreed.first(where: { $0.target == target.iqn && $0.lun == lun.lun }) {
                findings.append(Finding(.iscsiLUNIdentity, hosts: seen.hosts, .pass,
                                        "LUN \(seen.lun) of \(seen.target): serial \(seen.identity.serial), WWID \(seen.identity.wwid) from every host and portal"))
            }
        }
        findings += problems.filter(\.isSharing).map { Finding(.iscsiLUNUnique, hosts: $0.hosts, .fail, $0.message, fix: $0.fix(setupTarget)) }
        if !all.isEmpty && !problems.contains(where: \.isSharing) {
            findings.append(Finding(.iscsiLUNUnique, hosts: Set(all.map(\.host)).sorted(), .pass, "no two LUNs share a serial or WWID"))
        }
        return findings
    }

    /// Sessions and multipath maps: only a hypervisor's kernel knows them.
    static func kernel(_ context: CheckContext) -> [Finding] {
        let spec = context.spec
        var findings: [Finding] = []
        for (host, facts) in context.answered {
            let targets = context.targets(reachableBy: host)
            guard !targets.isEmpty else { continue }
            let login = context.command("iscsi login --host \(host.name)")
            switch facts.kernel.sessions {
            case .unknown(let reason):
                findings.append(Finding(.iscsiSession, hosts: [host.name], .skip, reason))
            case .known(let sessions):
                for target in targets {
                    for portal in spec.portals(of: target) {
                        let session = sessions.first { $0.target == target.iqn && $0.portal == portal.description }
                        findings.append(session?.isLoggedIn == true
                            ? Finding(.iscsiSession, hosts: [host.name], .pass, "logged in to \(target.iqn) via \(portal)")
                            : Finding(.iscsiSession, hosts: [host.name], .fail,
                                      "no session to \(target.iqn) via \(portal)\(session.map { " (state \($0.sessionState))" } ?? "")", fix: login))
                    }
                }
            }
            switch facts.kernel.multipath {
            case .unknown(let reason):
                findings.append(Finding(.iscsiMultipath, hosts: [host.name], .skip, reason))
            case .known(let maps):
                for target in targets {
                    let paths = spec.portals(of: target).count
                    for lun in target.luns {
                        let alias = spec.multipathAlias(of: target, lun)
                        let wwid = spec.identity(of: target, lun).wwid
                        guard let map = maps.first(where: { $0.alias == alias }) else {
                            findings.append(Finding(.iscsiMultipath, hosts: [host.name], .fail, "/dev/mapper/\(alias) does not exist",
                                                    fix: context.command("multipath setup --host \(host.name)")))
                            continue
                        }
                        if map.wwid != wwid {
                            findings.append(Finding(.iscsiMultipath, hosts: [host.name], .fail, "/dev/mapper/\(alias) is WWID \(map.wwid), the spec's LUN \(lun.lun) is \(wwid)",
                                                    fix: context.command("multipath setup --host \(host.name)")))
                        } else if map.activePaths < paths {
                            findings.append(Finding(.iscsiMultipath, hosts: [host.name], .fail,
                                                    "/dev/mapper/\(alias) has \(map.activePaths) active path(s) of \(paths) (\(map.paths.map(\.dmState).joined(separator: ", ")))",
                                                    fix: login))
                        } else {
                            findings.append(Finding(.iscsiMultipath, hosts: [host.name], .pass, "/dev/mapper/\(alias): \(paths) active paths"))
                        }
                    }
                }
            }
        }
        return findings
    }
}
