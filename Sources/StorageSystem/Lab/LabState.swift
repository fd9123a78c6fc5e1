import Foundation

/// What a lab run created, recorded after every step so `down` removes exactly that, also after
/// a crashed `up`, and never anything it did not create.
public struct LabState: Codable, Sendable, Equatable {
    public var cluster: String
    public var bridges: [String] = []
    public var namespaces: [String] = []
    public var mountNamespaceFiles: [String] = []
    /// Daemons started inside lab hosts, by pid.
    public var pids: [Int32] = []
    /// A kernel lab: hypervisors (and a kernel NFS server) are qemu guests.
    public var kernel: Bool? = nil
    /// qemu of each guest, by host name (also in `pids`).
    public var guests: [String: Int32]? = nil
    /// Taps and control veths, removed by `down`.
    public var links: [String]? = nil
    /// Empty directories made on this machine as mount points for the hosts' own directories
    /// (`/export` when the spec exports `/export/vmstore`); `down` removes them when empty.
    public var mountPoints: [String]? = nil
    /// The storage networks on the lab's bridges: nothing may reach them from this machine's
    /// own namespace while the lab is up (`LabLeakGuard`).
    public var networks: [String]? = nil

    public init(cluster: String) { self.cluster = cluster }

    static func load(_ path: String) throws -> LabState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(LabState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Every lab recorded under `runRoot` (each cluster's directory holds its state file).
    static func all(runRoot: String) -> [LabState] {
        let clusters = (try? FileManager.default.contentsOfDirectory(atPath: runRoot)) ?? []
        return clusters.sorted().compactMap { (try? load("\(runRoot)/\($0)/state.json")) ?? nil }
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
