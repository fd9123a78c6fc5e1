/// One export as the MOUNT service lists it (`showmount -e`, or libnfs from a hypervisor):
/// its path and the clients it admits.
public struct ExportListing: Sendable, Equatable, Codable {
    public var path: String
    public var clients: [String]

    public init(path: String, clients: [String]) {
        self.path = path
        self.clients = clients
    }
}

/// Parses `showmount -e HOST`: "Export list for HOST:" then "PATH CLIENT,CLIENT…" lines.
public enum ShowmountParser {
    public static func parse(_ output: String) throws(ToolOutputError) -> [ExportListing] {
        var exports: [ExportListing] = []
        var sawHeader = false
        for (index, raw) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t")
            if line.isEmpty { continue }
            if line.hasPrefix("Export list for ") {
                sawHeader = true
                continue
            }
            guard sawHeader, line.hasPrefix("/") else { throw ToolOutputError(tool: "showmount -e", line: index + 1, text: String(raw)) }
            let fields = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            let clients = fields.count > 1 ? fields[1].trimmingCharacters(in: " ").split(separator: ",").map(String.init) : []
            exports.append(ExportListing(path: String(fields[0]), clients: clients))
        }
        return exports
    }
}
