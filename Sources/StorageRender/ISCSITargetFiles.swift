import StorageModel

/// tgtd's configuration for the targets this host serves.
enum ISCSITargetFiles {
    static func render(_ context: RenderContext) throws(RenderError) -> [RenderedFile] {
        guard let iscsi = context.spec.iscsi else { return [] }
        let targets = iscsi.targets.filter { $0.server == context.host.name && $0.implementation == .tgt }
        guard !targets.isEmpty else { return [] }
        let model = try TgtModel(context, targets)
        // 0600: the file carries CHAP secrets when a target uses CHAP.
        return [RenderedFile(
            path: "/etc/tgt/conf.d/\(context.spec.cluster).conf", mode: 0o600,
            content: TemplateLibrary.render(.tgtTargets, model), purpose: "iSCSI targets (tgtd)",
            containsSecret: model.targets.contains { $0.chap != nil })]
    }
}

struct TgtModel: Sendable {
    struct LUN: Sendable {
        let lun: Int
        let backingStore: String
        let scsiID: String
        let serial: String
    }
    struct CHAP: Sendable { let username: String; let secret: String }
    struct Target: Sendable {
        let iqn: String
        let luns: [LUN]
        let initiatorAddresses: [String]
        let initiatorNames: [String]
        let chap: CHAP?
    }
    let header: FileHeader
    let targets: [Target]

    init(_ context: RenderContext, _ targets: [ISCSITarget]) throws(RenderError) {
        header = FileHeader("iSCSI targets served by tgtd", context)
        var rendered: [Target] = []
        for target in targets {
            var chap: CHAP?
            if let spec = target.chap {
                guard let secret = context.secrets[spec.secretFile] else {
                    throw .missingSecret(file: spec.secretFile, target: target.iqn)
                }
                // The secret becomes one word on an `incominguser` line: no blanks, no comment start.
                guard !secret.isEmpty, secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f && $0 != "#" }) else {
                    throw .unusableSecret(file: spec.secretFile)
                }
                chap = CHAP(username: spec.username, secret: secret)
            }
            rendered.append(Target(
                iqn: target.iqn,
                luns: target.luns.map { lun in
                    let identity = context.spec.identity(of: target, lun)
                    return LUN(lun: lun.lun, backingStore: lun.backingStore, scsiID: identity.scsiID, serial: identity.serial)
                },
                initiatorAddresses: context.spec.initiatorACL(of: target).addresses,
                initiatorNames: context.spec.initiatorACL(of: target).names,
                chap: chap))
        }
        self.targets = rendered
    }
}

public enum RenderError: Error, Equatable, CustomStringConvertible {
    case unknownHost(String, known: [String])
    case missingSecret(file: String, target: String)
    case unusableSecret(file: String)
    case invalidSpec(errors: Int)

    public var description: String {
        switch self {
        case .unknownHost(let name, let known):
            return "no host named \"\(name)\" in the spec (hosts: \(known.joined(separator: ", ")))"
        case .missingSecret(let file, let target):
            return "the CHAP secret of \(target) could not be read from \(file): create it (mode 600) or fix chap.secretFile"
        case .unusableSecret(let file):
            return "the CHAP secret in \(file) is empty or has spaces, '#' or non-ASCII characters: write 12-16 printable ASCII characters, e.g. `openssl rand -hex 8 > \(file)`"
        case .invalidSpec(let errors):
            return "the spec has \(errors) error(s): run `storagekit validate` and fix them first"
        }
    }
}
