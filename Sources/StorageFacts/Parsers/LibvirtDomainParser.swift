import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A libvirt domain definition (`virsh dumpxml`, or a file in /etc/libvirt/qemu): its name, each
/// `<disk device='disk'>` with its source, `<driver cache=…>` and `<target dev=…>`, and the
/// other files it opens by path: CD-ROM and floppy media, `<nvram>`, `<kernel>`, `<initrd>`.
public enum LibvirtDomainParser {
    /// The domain's facts, named by its `<name>` (`fallbackName` without one). Throws when the
    /// text is not well-formed XML or not a `<domain>`.
    public static func parse(_ xml: String, fallbackName: String = "", source: String = "the domain XML") throws(ToolOutputError) -> DomainFacts {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            let reason = parser.parserError.map { "line \(parser.lineNumber): \(($0 as NSError).localizedDescription)" } ?? "line \(parser.lineNumber): not well-formed"
            throw ToolOutputError(tool: source, text: reason)
        }
        guard delegate.root == "domain" else { throw ToolOutputError(tool: source, text: "its root element is <\(delegate.root ?? "")>, not <domain>") }
        // libxml2 can call a text that stops early well-formed: the root must have closed.
        guard delegate.closed else { throw ToolOutputError(tool: source, text: "it ends before </domain>") }
        var blockers = delegate.blockers
        if delegate.cpuFeatures.contains("invtsc") && !delegate.tscFrequency {
            blockers.append("the invtsc CPU feature without a TSC frequency (<timer name='tsc' frequency=…/>)")
        }
        var tpm: TPMFacts?
        switch delegate.tpmBackend {
        case "emulator"?:
            tpm = TPMFacts(backend: .emulator, statePath: delegate.tpmSource ?? delegate.uuid.map { "/var/lib/libvirt/swtpm/\($0)" })
        case "external"?:
            tpm = TPMFacts(backend: .external, statePath: nil)
        case "passthrough"?:
            blockers.append("a TPM of the host (<tpm> with <backend type='passthrough'>)")
        default: break
        }
        return DomainFacts(name: delegate.name ?? fallbackName, disks: delegate.disks, files: delegate.files, machine: delegate.machine,
                           cpuMode: delegate.cpuMode, cpuFeatures: delegate.cpuFeatures, blockers: blockers, tpm: tpm)
    }

    final class Delegate: NSObject, XMLParserDelegate {
        var root: String?
        var closed = false
        var name: String?
        var disks: [DiskFacts] = []
        var files: [GuestFile] = []
        var machine: String?
        var cpuMode: String?
        var cpuFeatures: [String] = []
        var tscFrequency = false
        var blockers: [String] = []
        var uuid: String?
        var tpmBackend: String?
        var tpmSource: String?
        var path: [String] = []
        var text = ""
        /// The `<disk>` being read: its device kind and what it has so far.
        var disk: (device: String, facts: DiskFacts)?

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if root == nil { root = element }
            path.append(element)
            text = ""
            switch element {
            case "disk" where path == ["domain", "devices", "disk"]:
                disk = (attributes["device"] ?? "disk", DiskFacts(source: ""))
            case "source" where disk != nil && path.count == 4:
                disk?.facts.source = attributes["file"] ?? attributes["dev"] ?? attributes["name"] ?? attributes["volume"] ?? ""
            case "driver" where disk != nil:
                disk?.facts.cache = attributes["cache"]
            case "target" where disk != nil:
                disk?.facts.target = attributes["dev"]
            case "type" where path == ["domain", "os", "type"]:
                machine = attributes["machine"]
            case "cpu" where path == ["domain", "cpu"]:
                // libvirt's default for a <cpu> with a <model> and no mode is custom.
                cpuMode = attributes["mode"] ?? "custom"
            case "feature" where path == ["domain", "cpu", "feature"]:
                if let name = attributes["name"], ["require", "force", nil].contains(attributes["policy"]) { cpuFeatures.append(name) }
            case "timer" where path == ["domain", "clock", "timer"]:
                if attributes["name"] == "tsc", let frequency = attributes["frequency"], (Int(frequency) ?? 0) > 0 { tscFrequency = true }
            case "hostdev" where path == ["domain", "devices", "hostdev"]:
                let kind = attributes["type"] ?? "pci"
                blockers.append(kind == "usb" ? "a USB device of the host (<hostdev type='usb'>)" : "a \(kind.uppercased()) device of the host (<hostdev>)")
            case "driver" where path == ["domain", "devices", "filesystem", "driver"] && attributes["type"] == "virtiofs":
                blockers.append("a virtiofs share (<filesystem> with <driver type='virtiofs'>)")
            case "transient" where disk != nil:
                blockers.append("a transient disk (<transient/>)")
            case "backend" where path == ["domain", "devices", "tpm", "backend"]:
                tpmBackend = attributes["type"]
            case "source" where path == ["domain", "devices", "tpm", "backend", "source"]:
                tpmSource = attributes["path"]
            case "source" where path == ["domain", "os", "nvram", "source"]:
                // libvirt ≥ 8.5 may say <nvram type='file'><source file='…'/></nvram>.
                if let file = attributes["file"] { files.append(GuestFile(.nvram, file)) }
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch (path, element) {
            case (["domain", "name"], _): name = value
            case (["domain", "uuid"], _) where !value.isEmpty: uuid = value.lowercased()
            case (["domain", "os", "nvram"], _) where !value.isEmpty: files.append(GuestFile(.nvram, value))
            case (["domain", "os", "kernel"], _) where !value.isEmpty: files.append(GuestFile(.kernel, value))
            case (["domain", "os", "initrd"], _) where !value.isEmpty: files.append(GuestFile(.initrd, value))
            case (["domain", "devices", "disk"], _):
                if let disk, !disk.facts.source.isEmpty {
                    switch disk.device {
                    case "disk", "lun": disks.append(disk.facts)
                    case "cdrom": files.append(GuestFile(.cdrom, disk.facts.source))
                    case "floppy": files.append(GuestFile(.floppy, disk.facts.source))
                    default: break
                    }
                }
                disk = nil
            default: break
            }
            text = ""
            if path.count == 1 { closed = true }
            path.removeLast()
        }
    }
}
