import Mustache

/// Every template of templates/, embedded in the binary at build time so storagekit works
/// wherever it is copied. Add a case here for each new template; a test checks both agree.
public enum TemplateName: String, CaseIterable, Sendable {
    case header = "header"
    case exports = "exports"
    case nfsConf = "nfs.conf"
    case sysconfigNFS = "sysconfig-nfs"
    case lockdModprobe = "modprobe-lockd.conf"
    case ganeshaConf = "ganesha.conf"
    case tgtTargets = "tgt-targets.conf"
    case initiatorName = "initiatorname.iscsi"
    case multipathConf = "multipath.conf"
    case multipathWWIDs = "multipath-wwids"
    case mountUnit = "storage.mount"
    case fstabBlock = "fstab-block"
    case iptablesRules = "iptables.rules"
    case storagekitChain = "storagekit-chain"
    case iptablesChain = "iptables-chain.rules"
    case nftablesTable = "nftables-table.nft"
    case firewalldPolicy = "firewalld-policy.xml"
    case drbdGlobalCommon = "drbd-global_common.conf"
    case drbdResource = "drbd-resource.res"
    case drbdModprobe = "modprobe-drbd.conf"
    case xendRelocation = "xend-relocation"

    public var fileName: String { rawValue + ".mustache" }

    var bytes: [UInt8] {
        switch self {
        case .header: PackageResources.header_mustache
        case .exports: PackageResources.exports_mustache
        case .nfsConf: PackageResources.nfs_conf_mustache
        case .sysconfigNFS: PackageResources.sysconfig_nfs_mustache
        case .lockdModprobe: PackageResources.modprobe_lockd_conf_mustache
        case .ganeshaConf: PackageResources.ganesha_conf_mustache
        case .tgtTargets: PackageResources.tgt_targets_conf_mustache
        case .initiatorName: PackageResources.initiatorname_iscsi_mustache
        case .multipathConf: PackageResources.multipath_conf_mustache
        case .multipathWWIDs: PackageResources.multipath_wwids_mustache
        case .mountUnit: PackageResources.storage_mount_mustache
        case .fstabBlock: PackageResources.fstab_block_mustache
        case .iptablesRules: PackageResources.iptables_rules_mustache
        case .storagekitChain: PackageResources.storagekit_chain_mustache
        case .iptablesChain: PackageResources.iptables_chain_rules_mustache
        case .nftablesTable: PackageResources.nftables_table_nft_mustache
        case .firewalldPolicy: PackageResources.firewalld_policy_xml_mustache
        case .drbdGlobalCommon: PackageResources.drbd_global_common_conf_mustache
        case .drbdResource: PackageResources.drbd_resource_res_mustache
        case .drbdModprobe: PackageResources.modprobe_drbd_conf_mustache
        case .xendRelocation: PackageResources.xend_relocation_mustache
        }
    }

    public var source: String { String(decoding: bytes, as: UTF8.self) }
}

public enum TemplateLibrary {
    /// Parsed once; a template that does not parse is a build defect caught by the golden tests.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for name in TemplateName.allCases {
            do {
                try library.register(name.source, named: name.rawValue)
            } catch {
                fatalError("templates/\(name.fileName) does not parse: \(error)")
            }
        }
        return library
    }()

    /// Renders `template` from a typed view model (never a dictionary: a missing key would
    /// silently render empty).
    static func render(_ template: TemplateName, _ model: some Sendable) -> String {
        guard let text = library.render(model, withTemplate: template.rawValue) else {
            fatalError("template \(template.rawValue) is not registered")
        }
        return text
    }
}
