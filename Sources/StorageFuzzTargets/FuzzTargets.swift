import Foundation
import StorageFacts
import StorageGathering
import StorageModel
import StorageRender
import StorageSystem

/// Every parser of untrusted text (specs, tool output) as a function the fuzzer feeds. A target
/// only has to return: a thrown, typed error is a fine answer; a trap, a hang or a leak is not.
public enum FuzzTargets {
    public struct Target: Sendable {
        public let name: String
        /// Where its seed corpus comes from, relative to the package root.
        public let seeds: [String]
        public let run: @Sendable (String) -> Void
    }

    public static let all: [Target] = [
        Target(name: "spec", seeds: ["examples", "Tests/StorageRenderTests/Specs"], run: spec),
        Target(name: "tgtadm-show", seeds: ["Tests/Fixtures/tgtadm"]) { text in
            _ = try? TgtadmShowParser.parse(text)
            _ = try? TgtadmListParser.portals(text)
            _ = try? TgtadmListParser.accounts(text)
        },
        Target(name: "iscsiadm-session", seeds: ["Tests/Fixtures/kernel-guest"]) { text in
            _ = try? ISCSISessionDetailParser.parse(text)
            _ = try? ISCSISessionListParser.parse(text)
            _ = ISCSINodeSettingsParser.parse(text)
        },
        Target(name: "rpcinfo", seeds: ["Tests/Fixtures/rpcinfo"]) { text in _ = try? RpcinfoParser.parse(text) },
        Target(name: "showmount", seeds: ["Tests/Fixtures/showmount"]) { text in _ = try? ShowmountParser.parse(text) },
        Target(name: "multipath-ll", seeds: ["Tests/Fixtures/kernel-guest/multipath-ll.txt"]) { text in _ = try? MultipathListParser.parse(text) },
        Target(name: "findmnt", seeds: ["Tests/Fixtures/findmnt", "Tests/Fixtures/kernel-guest"]) { text in _ = try? FindmntParser.parse(text) },
        Target(name: "proc-drbd", seeds: ["Tests/Fixtures/drbd"]) { text in _ = try? ProcDRBDParser.parse(text) },
        Target(name: "drbd-status", seeds: ["Tests/Fixtures/drbd"]) { text in _ = try? DRBDStatusParser.parse(text) },
        Target(name: "blkid", seeds: ["Tests/Fixtures/blkid"]) { text in _ = DiskSignature.parse(exitCode: 0, output: text) },
        Target(name: "xen-config", seeds: []) { text in _ = XenConfigParser.parse(text) },
        Target(name: "ldconfig-cache", seeds: ["Tests/Fixtures/deploy"]) { text in _ = try? LoaderCache.sonames(text) },
        Target(name: "elf-headers", seeds: []) { text in _ = try? ELFImage.parse(Data(text.utf8), path: "fuzz") },
        Target(name: "libvirt-domain", seeds: ["Tests/Fixtures/libvirt"]) { text in _ = try? LibvirtDomainParser.parse(text) },
        Target(name: "qemu-img-chain", seeds: ["Tests/Fixtures/qemu-img"]) { text in _ = try? QemuImgChainParser.backingFiles(text) },
        Target(name: "system-facts", seeds: []) { text in
            _ = SystemFactsParsers.cpu(text)
            _ = SystemFactsParsers.osRelease(text)
            _ = SystemFactsParsers.bridges(text)
            _ = SystemFactsParsers.sebool(text)
            _ = SystemFactsParsers.passwd(text)
        },
        Target(name: "tool-versions", seeds: ["Tests/Fixtures/versions"]) { text in
            _ = SystemFactsParsers.libvirtVersion(text)
            _ = SystemFactsParsers.qemuVersion(text)
            _ = SystemFactsParsers.machineTypes(text)
            _ = SystemFactsParsers.resolvedAddresses(text)
        },
        Target(name: "qemu-conf", seeds: ["Tests/Fixtures/libvirt"]) { text in
            _ = try? LibvirtQemuConf.migration(text)
        },
        Target(name: "ssh-batchmode", seeds: ["Tests/Fixtures/ssh"]) { text in
            _ = SSHBatchModeOutcome.classify(exitCode: 255, stderr: text)
            _ = SSHBatchModeOutcome.lastLine(text)
        },
    ]

    public static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    /// Load, validate and, when the spec is valid, render every host: what `storagekit render`
    /// does with a file a user wrote.
    @Sendable static func spec(_ text: String) {
        guard let loaded = try? SpecLoader.load(yaml: text) else { return }
        guard !SpecValidator(secretFile: { _ in .ok(length: 16) }).validate(loaded).hasErrors else { return }
        for host in loaded.spec.hosts {
            _ = try? HostRenderer.render(loaded.spec, host: host.name, secrets: Dictionary(uniqueKeysWithValues: HostRenderer.secretFiles(loaded.spec, host: host.name).map { ($0, "fuzzsecret1234") }))
        }
    }
}
