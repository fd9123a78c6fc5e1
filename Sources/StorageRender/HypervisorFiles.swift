import Mustache
import StorageModel

/// Files of a hypervisor: its initiator name, multipath for the cluster's LUNs, and the mounts
/// that put shared storage at the same path on every host.
enum HypervisorFiles {
    static func render(_ context: RenderContext) -> [RenderedFile] {
        guard context.host.has(.hypervisor) else { return [] }
        let spec = context.spec
        var files: [RenderedFile] = []
        if spec.iscsi != nil {
            files.append(RenderedFile(
                path: "/etc/iscsi/initiatorname.iscsi",
                content: TemplateLibrary.render(.initiatorName, InitiatorNameModel(
                    header: FileHeader("iSCSI initiator name of this host", context), initiatorName: spec.initiatorName(of: context.host))),
                purpose: "iSCSI initiator name"))
            let multipath = MultipathModel(context)
            if !multipath.luns.isEmpty {
                files.append(RenderedFile(
                    path: "/etc/multipath.conf", content: TemplateLibrary.render(.multipathConf, multipath),
                    purpose: "multipath maps of the cluster's LUNs"))
                // find_multipaths strict only builds maps for WWIDs listed here.
                files.append(RenderedFile(
                    path: "/etc/multipath/wwids", content: TemplateLibrary.render(.multipathWWIDs, multipath),
                    purpose: "WWIDs multipath may claim"))
            }
        }
        let mounts = spec.sharedMounts(of: context.host)
        for mount in mounts {
            files.append(RenderedFile(
                path: "/etc/systemd/system/\(SystemdEscape.mountUnitName(for: mount.mountPoint))",
                content: TemplateLibrary.render(.mountUnit, MountUnitModel(context, mount)),
                purpose: "mount of \(mount.mountPoint)"))
        }
        if !mounts.isEmpty {
            let marker = "storagekit \(spec.cluster)"
            let block = FstabModel(begin: "# BEGIN \(marker)", end: "# END \(marker)", mounts: mounts.map(FstabModel.Line.init))
            files.append(RenderedFile(
                path: "/etc/fstab", content: TemplateLibrary.render(.fstabBlock, block),
                kind: .managedBlock(begin: block.begin, end: block.end), purpose: "fstab lines of the shared mounts"))
        }
        if spec.migration.configure && spec.migration.usesXendRelocation {
            let relocation = XendRelocationModel(context)
            files.append(RenderedFile(
                path: "/etc/xen/xend-config.sxp", content: TemplateLibrary.render(.xendRelocation, relocation),
                kind: .managedBlock(begin: relocation.begin, end: relocation.end, supersedes: XendRelocationModel.keys),
                purpose: "xend's relocation server (live migration between the hypervisors)"))
        }
        return files
    }
}

struct InitiatorNameModel: Sendable {
    let header: FileHeader
    let initiatorName: String
}

struct MultipathModel: Sendable {
    struct LUN: Sendable {
        let target: String
        let lun: Int
        let serial: String
        let wwid: String
        let alias: String
    }
    struct WWID: Sendable { let wwid: String }
    let header: FileHeader
    /// Queue I/O this many polling intervals (5 s) when every path is down, then fail it:
    /// long enough to ride out a portal failover, short of dev_loss_tmo (30 s).
    let noPathRetry = 5
    let luns: [LUN]
    let wwids: [WWID]

    init(_ context: RenderContext) {
        header = FileHeader("multipath configuration", context)
        let spec = context.spec
        let aliases = spec.multipathAliases
        luns = spec.targets(reachableBy: context.host).flatMap { target in
            target.luns.map { lun in
                let identity = spec.identity(of: target, lun)
                return LUN(target: target.iqn, lun: lun.lun, serial: identity.serial, wwid: identity.wwid,
                    alias: aliases[LUNReference(target: target.iqn, lun: lun.lun)] ?? spec.multipathAlias(of: target, lun))
            }
        }
        wwids = luns.map { WWID(wwid: $0.wwid) }
    }
}

struct MountUnitModel: Sendable {
    let header: FileHeader
    let description: String
    let network: Bool
    let after: String?
    let what: String
    let `where`: String
    let type: String
    let options: String
    let wantedBy: String

    init(_ context: RenderContext, _ mount: SharedMount) {
        header = FileHeader("shared VM storage at \(mount.mountPoint)", context)
        description = "storagekit \(context.spec.cluster): shared VM storage at \(mount.mountPoint)"
        network = mount.needsNetwork
        switch mount.source {
        case .nfs: after = "remote-fs-pre.target"
        case .bind: after = "local-fs.target"
        case .device: after = context.os == .rhel ? "iscsi.service multipathd.service" : "open-iscsi.service multipathd.service"
        }
        what = mount.what
        self.where = mount.mountPoint
        type = mount.type
        options = mount.options.joined(separator: ",")
        wantedBy = mount.needsNetwork ? "remote-fs.target" : "local-fs.target"
    }
}

struct FstabModel: Sendable {
    struct Line: Sendable {
        let what, `where`, type, options: String
        init(_ mount: SharedMount) {
            what = mount.what
            self.where = mount.mountPoint
            type = mount.type
            options = mount.options.joined(separator: ",")
        }
    }
    let begin: String
    let end: String
    let mounts: [Line]
}

// One entry per LUN per hypervisor: looked up by name, not through Mirror (reflection made
// multipath.conf most of a 200-hypervisor render).
extension MultipathModel.LUN: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "target": target
        case "lun": lun
        case "serial": serial
        case "wwid": wwid
        case "alias": alias
        default: nil
        }
    }
}

extension MultipathModel.WWID: MustacheParent {
    func child(named name: String) -> Any? { name == "wwid" ? wwid : nil }
}
