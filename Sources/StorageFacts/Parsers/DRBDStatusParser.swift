/// Reads `drbdsetup status` (what `drbdadm status` prints too) of DRBD 9:
///
///     r0 role:Primary
///       disk:UpToDate
///       hv2 role:Primary
///         peer-disk:UpToDate
///
/// A resource line at column 0, its devices at column 2 (`disk:…`, or `volume:N disk:…` with
/// several volumes), then each peer at column 2 by name (`hv2 role:…` when connected, `hv2
/// connection:StandAlone` when not) with its devices below (`replication:SyncSource
/// peer-disk:Inconsistent done:72.42`; `replication:` only when not plain Established). Long lines
/// wrap onto deeper indented ones; `--verbose` adds `node-id:`, `minor:`, `connection:Connected`.
/// One `DRBDDeviceFacts` comes out per volume and peer.
public enum DRBDStatusParser {
    private struct Peer {
        var name: String
        var values: [String: String] = [:]
        /// Per volume: `replication`, `peer-disk`, `done`.
        var volumes: [Int: [String: String]] = [:]
    }

    private struct Resource {
        var name: String
        var role: String
        /// Per volume: `disk`, `minor`.
        var volumes: [Int: [String: String]] = [:]
        var peers: [Peer] = []
    }

    public static func parse(_ text: String) throws(ToolOutputError) -> [DRBDDeviceFacts] {
        var resources: [Resource] = []
        var volume = 0
        /// The last line went to a device of the resource (not to a peer).
        var inDevices = true
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fail = { (reason: String) in ToolOutputError(tool: "drbdsetup status", line: index + 1, text: String(raw), reason: reason) }
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            let indent = raw.prefix { $0 == " " }.count
            if indent == 0 {
                let values = pairs(words.dropFirst())
                guard let role = values["role"] else { throw fail("a resource line needs role:") }
                resources.append(Resource(name: first, role: role))
                volume = 0
                inDevices = true
                continue
            }
            guard !resources.isEmpty else { throw fail("indented before any resource line") }
            let last = resources.count - 1
            if indent == 2 && !first.contains(":") {
                resources[last].peers.append(Peer(name: first, values: pairs(words.dropFirst())))
                volume = 0
                inDevices = false
                continue
            }
            guard words.allSatisfy({ $0.contains(":") }) else { throw fail("expected key:value words") }
            let values = pairs(words[...])
            if let number = values["volume"].flatMap({ Int($0) }) { volume = number }
            if indent == 2 {
                inDevices = true
            }
            if inDevices {
                resources[last].volumes[volume, default: [:]].merge(values) { _, new in new }
            } else {
                let peer = resources[last].peers.count - 1
                // A wrapped connection line carries connection:/role:; the rest is the peer's device.
                for key in ["connection", "role", "congested"] where values[key] != nil {
                    resources[last].peers[peer].values[key] = values[key]
                }
                let device = values.filter { !["connection", "role", "congested"].contains($0.key) }
                resources[last].peers[peer].volumes[volume, default: [:]].merge(device) { _, new in new }
            }
        }
        return resources.flatMap(statuses)
    }

    private static func pairs(_ words: ArraySlice<String>) -> [String: String] {
        var values: [String: String] = [:]
        for word in words {
            guard let colon = word.firstIndex(of: ":") else { continue }
            values[String(word[..<colon])] = String(word[word.index(after: colon)...])
        }
        return values
    }

    private static func statuses(_ resource: Resource) -> [DRBDDeviceFacts] {
        let volumes = resource.volumes.isEmpty ? [0: [:]] : resource.volumes
        return volumes.keys.sorted().flatMap { volume -> [DRBDDeviceFacts] in
            let local = volumes[volume] ?? [:]
            var status = DRBDDeviceFacts(
                resource: resource.name, minor: local["minor"].flatMap { Int($0) }, volume: volume,
                connection: .standAlone, role: DRBDRole(resource.role), disk: local["disk"].map(DRBDDiskState.init) ?? .dUnknown)
            // No peer at all: the resource has no connection configured.
            guard !resource.peers.isEmpty else { return [status] }
            return resource.peers.map { peer in
                let connection = peer.values["connection"].map(DRBDConnectionState.init) ?? .connected
                let device = peer.volumes[volume] ?? [:]
                status.peer = peer.name
                status.connection = connection
                status.peerRole = connection == .connected ? peer.values["role"].map(DRBDRole.init) ?? .unknown : .unknown
                status.replication = connection == .connected ? device["replication"].map(DRBDReplicationState.init) ?? .established : nil
                status.peerDisk = device["peer-disk"].map(DRBDDiskState.init) ?? .dUnknown
                status.syncPercent = device["done"].flatMap { Double($0.hasSuffix("%") ? String($0.dropLast()) : $0) }
                return status
            }
        }
    }
}
