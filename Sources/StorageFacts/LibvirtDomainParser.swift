import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StorageCheck

/// The disks of a `virsh dumpxml` document: each `<disk device='disk'>` with its `<source
/// file|dev=…>`, `<driver cache=…>` and `<target dev=…>`. CD-ROMs and floppies do not migrate
/// storage and are left out.
public enum LibvirtDomainParser {
    public static func parse(_ xml: String) -> (name: String?, disks: [DiskFacts]) {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        parser.parse()
        return (delegate.name, delegate.disks)
    }

    final class Delegate: NSObject, XMLParserDelegate {
        var name: String?
        var disks: [DiskFacts] = []
        var path: [String] = []
        var text = ""
        var current: DiskFacts?

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(element)
            text = ""
            switch element {
            case "disk" where path.count == 3 && path[1] == "devices":
                current = (attributes["device"] ?? "disk") == "disk" ? DiskFacts(source: "") : nil
            case "source" where current != nil:
                current?.source = attributes["file"] ?? attributes["dev"] ?? attributes["name"] ?? attributes["volume"] ?? ""
            case "driver" where current != nil:
                current?.cache = attributes["cache"]
            case "target" where current != nil:
                current?.target = attributes["dev"]
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            if element == "name" && path == ["domain", "name"] { name = text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if element == "disk", let disk = current, path.count == 3 {
                if !disk.source.isEmpty { disks.append(disk) }
                current = nil
            }
            path.removeLast()
        }
    }
}
