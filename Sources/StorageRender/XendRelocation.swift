import StorageModel

/// xend's relocation stanza for one hypervisor: listen on its first address, accept guests only
/// from the cluster's other hypervisors (each of their addresses as an anchored regex).
struct XendRelocationModel: Sendable {
    /// The settings the block owns; active lines for them elsewhere are commented out.
    static let keys = ["xend-relocation-server", "xend-relocation-port", "xend-relocation-address", "xend-relocation-hosts-allow"]

    let begin: String
    let end: String
    let port: Int
    let address: String
    let hostsAllow: String

    init(_ context: RenderContext) {
        let spec = context.spec
        let marker = "storagekit \(spec.cluster)"
        begin = "# BEGIN \(marker)"
        end = "# END \(marker)"
        port = spec.migration.relocationPort
        address = context.host.addresses.first ?? ""
        // Addresses only: xend would match a name against the peer's reverse DNS, which spec
        // names need not be and whoever controls the PTR record can forge.
        let peers = spec.hypervisors.filter { $0.name != context.host.name }
        hostsAllow = Self.hostsAllow(peers.flatMap(\.addresses))
    }

    /// xend-relocation-hosts-allow: space-separated regexes, each anchored and with every
    /// metacharacter escaped; backslashes doubled, as the SXP string reader undoes them (the
    /// upstream default reads `'^localhost$ ^localhost\\.localdomain$'`).
    static func hostsAllow(_ names: [String]) -> String {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.map { "^" + sxpEscaped(regexEscaped($0)) + "$" }.joined(separator: " ")
    }

    static func regexEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\.^$*+?()[]{}|".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    static func sxpEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }
}

/// The regex builder, for tests.
public enum XendRelocationTestAccess {
    public static func hostsAllow(_ names: [String]) -> String { XendRelocationModel.hostsAllow(names) }
}
