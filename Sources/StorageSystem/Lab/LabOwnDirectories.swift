import StorageFacts
import StorageModel

/// A directory a lab host gets of its own so that storagekit can write where the spec says
/// (`/export/vmstore`, `/data/iscsi/…`), computed from the spec's written paths.
public struct LabOwnDirectory: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// This machine's directory with the host's own writable layer over it (overlayfs).
        case overlay
        /// An empty directory of the host's own: tmpfs in a guest, a bind of a plain directory in
        /// a namespace (nfs-ganesha needs file handles, which overlayfs does not give).
        case empty
    }

    public var path: String
    public var kind: Kind
    /// The spec fields that need it, for the report.
    public var fields: [String]

    public init(path: String, kind: Kind, fields: [String]) {
        self.path = path
        self.kind = kind
        self.fields = fields
    }
    /// Missing on this machine: `lab up` creates it as an empty mount point (and `down`
    /// removes it again), since a guest's root and a namespace's are this machine's.
    public var isNewMountPoint: Bool { kind == .empty }
}

/// What kind of thing a path is on this machine.
public enum PathKind: Sendable, Equatable {
    case directory, missing, other
}

extension LabLayout {
    /// Directories every guest gets writable whatever the spec: tmpfs ones start empty, overlays
    /// show this machine's content (/tmp and /root may hold the checkout and its binary).
    public static let guestTmpfsDirectories = ["/run", "/srv", "/mnt"]
    public static let guestOverlayDirectories = ["/etc", "/var", "/tmp", "/root", "/usr/local"]
    /// What no lab host can be given: the programs and libraries every host runs, and the
    /// kernel's own file systems.
    public static let systemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc", "/sys", "/dev"]

    /// Directories `host` already has of its own.
    public func fixedOwnDirectories(of host: LabHost) -> [String] {
        host.isGuest
            ? Self.guestTmpfsDirectories + Self.guestOverlayDirectories
            : Self.privateDirectories + Self.dataDirectories + ["/run"]
    }

    /// The directories `host` needs beyond its fixed ones for every path the spec makes
    /// storagekit write there. Each is the shallowest directory above the path that holds none
    /// of the lab's own directories (the top directory, `/export`, in a guest; `/var/cache` for
    /// `/var/cache/vms` in a namespace, whose /var/lib is already its own). Throws for a path
    /// that no lab host can be given, naming the spec field.
    public func ownDirectories(of host: LabHost, in spec: ClusterSpec, kind: (String) -> PathKind) throws(SystemError) -> [LabOwnDirectory] {
        guard let specHost = spec.host(named: host.name) else { return [] }
        if host.isGuest { try Self.requireVirtioDisks(of: host.name, in: spec) }
        let fixed = fixedOwnDirectories(of: host)
        // The lab's own state lives here on this machine: a layer over them would hide it.
        let reserved = fixed + [runDirectory, dataDirectory]
        var result: [LabOwnDirectory] = []
        for written in spec.writtenPaths(of: specHost) {
            let path = Self.normalized(written.path)
            if fixed.contains(where: { path.isSameOrUnder($0) }) { continue }
            if let system = Self.systemDirectories.first(where: { path.isSameOrUnder($0) }) ?? (path == "/" ? "/" : nil) {
                throw .cannotWrite(field: written.field, path: written.path, reason: "it is under \(system), which every lab host shares with this machine (its programs and libraries)")
            }
            let components = path.split(separator: "/").map(String.init)
            let candidates = components.indices.map { "/" + components[...$0].joined(separator: "/") }
            guard let directory = candidates.first(where: { candidate in !reserved.contains { $0.isSameOrUnder(candidate) } }) else {
                throw .cannotWrite(field: written.field, path: written.path, reason: "it would hide the lab's own directories (\(reserved.filter { $0.isSameOrUnder(path) }.joined(separator: ", ")))")
            }
            if let index = result.firstIndex(where: { $0.path == directory }) {
                if !result[index].fields.contains(written.field) { result[index].fields.append(written.field) }
                continue
            }
            switch kind(directory) {
            case .directory: result.append(LabOwnDirectory(path: directory, kind: .overlay, fields: [written.field]))
            case .missing: result.append(LabOwnDirectory(path: directory, kind: .empty, fields: [written.field]))
            case .other:
                throw .cannotWrite(field: written.field, path: written.path, reason: "\(directory) is a file or a symbolic link on this machine, not a directory the lab can give each host")
            }
        }
        return result
    }

    /// A guest's DRBD disks are the virtio disks the lab gives it (`/dev/vda`…): a spec naming
    /// another device (`/dev/sdb`, `/dev/disk/by-id/…`) would meet no disk there.
    static func requireVirtioDisks(of host: String, in spec: ClusterSpec) throws(SystemError) {
        for (index, resource) in (spec.drbd?.resources ?? []).enumerated() where resource.hosts.contains(where: { $0.name == host }) {
            for (key, path) in [("disk", resource.disk), ("metaDisk", resource.metaDisk)] where path.hasPrefix("/") && virtioLetter(path) == nil {
                throw .cannotWrite(field: "drbd.resources[\(index)].\(key)", path: path,
                                   reason: "a kernel-lab guest's disks are the virtio disks the lab makes, /dev/vda to /dev/vdz; write one of those in the spec you give the lab")
            }
        }
    }

    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
