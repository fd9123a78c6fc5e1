import Foundation
import StorageModel

/// LIO's configuration for the `implementation: lio` targets this host serves, as rtslib-fb's
/// saveconfig.json: what `targetctl restore` loads (and the distribution's unit restores at
/// boot). JSON, not a template: every value is escaped by the encoder, and the file is the whole
/// of the host's LIO configuration, as rtslib reads it.
enum LIOTargetFiles {
    /// Where rtslib-fb keeps it: Debian patches the path; RHEL keeps upstream's.
    static func path(_ os: OSFamily) -> String {
        os == .debian ? "/etc/rtslib-fb-target/saveconfig.json" : "/etc/target/saveconfig.json"
    }

    static func render(_ context: RenderContext) throws(RenderError) -> [RenderedFile] {
        guard let iscsi = context.spec.iscsi else { return [] }
        let targets = iscsi.targets.filter { $0.server == context.host.name && $0.implementation == .lio }
        guard !targets.isEmpty else { return [] }
        let config = try LIOSaveConfig(context, targets)
        // 0600: the file carries CHAP secrets when a target uses CHAP (rtslib writes it so too).
        return [RenderedFile(
            path: path(context.os), mode: 0o600, content: config.json, purpose: "iSCSI targets (LIO, rtslib-fb saveconfig.json)",
            containsSecret: targets.contains { $0.chap != nil })]
    }
}

/// rtslib-fb's saveconfig.json (2.1.75, Debian 12's): the keys its restore reads, values as it
/// wants them (attributes as integers, never JSON booleans, which the kernel refuses).
struct LIOSaveConfig: Encodable {
    struct StorageObject: Encodable {
        var name: String
        var plugin: String
        var dev: String
        /// fileio on a file only; rtslib refuses it for a block device.
        var size: UInt64?
        var write_back: Bool
        /// The unit serial: VPD 0x80, and the source of the WWID (`LUNIdentity`).
        var wwn: String
    }

    struct Portal: Encodable {
        var ip_address: String
        var port: Int
    }

    struct LUN: Encodable {
        var index: Int
        var storage_object: String
        var alias: String
    }

    struct MappedLUN: Encodable {
        var index: Int
        var tpg_lun: Int
        var write_protect: Bool
    }

    struct NodeACL: Encodable {
        var node_wwn: String
        var chap_userid: String?
        var chap_password: String?
        var mapped_luns: [MappedLUN]
    }

    struct TPG: Encodable {
        var tag: Int
        var enable: Bool
        var attributes: [String: Int]
        var parameters: [String: String]
        var portals: [Portal]
        var luns: [LUN]
        var node_acls: [NodeACL]
    }

    struct Target: Encodable {
        var fabric: String
        var wwn: String
        var tpgs: [TPG]
    }

    var fabric_modules: [String] = []
    var storage_objects: [StorageObject] = []
    var targets: [Target] = []

    init(_ context: RenderContext, _ targets: [ISCSITarget]) throws(RenderError) {
        let spec = context.spec
        for target in targets {
            var chap: (username: String, secret: String)?
            if let wanted = target.chap {
                guard let secret = context.secrets[wanted.secretFile] else { throw .missingSecret(file: wanted.secretFile, target: target.iqn) }
                // rtslib refuses more than 255 characters and "NULL"; the tgt rule keeps one rule for both.
                guard !secret.isEmpty, secret.count <= 255, secret != "NULL",
                    secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f && $0 != "#" })
                else { throw .unusableSecret(file: wanted.secretFile) }
                chap = (wanted.username, secret)
            }
            var luns: [LUN] = []
            for lun in target.luns {
                let object = spec.lioStorageObject(of: target, lun)
                storage_objects.append(StorageObject(
                    name: object.name, plugin: object.plugin.rawValue, dev: object.dev, size: object.size, write_back: false, wwn: object.serial))
                luns.append(LUN(index: lun.lun, storage_object: object.rtslibPath, alias: object.name))
            }
            let mapped = target.luns.map { MappedLUN(index: $0.lun, tpg_lun: $0.lun, write_protect: false) }
            let acls = spec.initiatorNames(of: target).map { name in
                NodeACL(node_wwn: name.lowercased(), chap_userid: chap?.username, chap_password: chap?.secret, mapped_luns: mapped)
            }
            let tpg = TPG(
                tag: LIOTPGSettings.tag, enable: true,
                attributes: LIOTPGSettings.attributes(chap: chap != nil),
                parameters: ["AuthMethod": LIOTPGSettings.authMethod(chap: chap != nil)],
                portals: spec.portals(of: target).map { Portal(ip_address: $0.address, port: $0.port) },
                luns: luns, node_acls: acls)
            self.targets.append(Target(fabric: "iscsi", wwn: target.iqn.lowercased(), tpgs: [tpg]))
        }
    }

    /// As `targetctl save` writes it: keys sorted, two-space indent, a final newline.
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and booleans only: JSONEncoder fails on nothing but non-finite
        // floating-point numbers, and an empty file would clear the host's LIO on restore.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
