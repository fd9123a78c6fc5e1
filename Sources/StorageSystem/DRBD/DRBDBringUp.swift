import StorageFacts
import StorageModel

/// How `setup drbd` brings a resource up, as values: what each node runs, in which order, and
/// when it refuses. Three phases, each decided on the state read just before it:
/// 1. on each node: `create-md` only on a disk with nothing on it (or with `--force`), then
///    `up`; a resource already up gets `adjust` (applies a changed config, else changes nothing);
/// 2. once Connected, if neither disk has ever been in sync (both Inconsistent): the first node
///    of the resource, and only it, `primary --force` — the initial full sync from it;
/// 3. with `allowTwoPrimaries`, once both disks are UpToDate: `primary` on each node not yet
///    Primary. Without it, nothing more: the admin (or the cluster manager) picks the Primary.
public enum DRBDBringUp {
    public struct Step: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var argv: [String]
        public var why: String

        public var description: String { "\(host): \(argv.joined(separator: " "))   (\(why))" }
    }

    /// What the node knows before phase 1: its disk's signature and the device's state, nil
    /// when the resource is not up in its kernel.
    public struct NodeState: Sendable, Equatable {
        public var host: String
        public var disk: DiskSignature
        public var device: DRBDDeviceFacts?

        public init(host: String, disk: DiskSignature, device: DRBDDeviceFacts?) {
            self.host = host
            self.disk = disk
            self.device = device
        }
    }

    /// Phase 1 on one node.
    public static func attach(_ resource: DRBDResource, _ node: NodeState, force: Bool) throws(SystemError) -> [Step] {
        let name = resource.name
        if node.device != nil {
            return [Step(host: node.host, argv: ["drbdadm", "adjust", name], why: "\(name) is up: apply the rendered config, nothing else")]
        }
        let metaOn = resource.metaDisk == DRBDResource.defaultMetaDisk ? resource.disk : resource.metaDisk
        let up = Step(host: node.host, argv: ["drbdadm", "up", name], why: "attach \(resource.disk) and connect to the peer")
        switch node.disk {
        case .drbdMetadata:
            return [up]
        case .nothing:
            return [Step(host: node.host, argv: ["drbdadm", "create-md", "--force", name],
                         why: "blkid found nothing on \(metaOn); --force only answers drbdmeta's own question"), up]
        case .other(let type):
            guard force else {
                throw SystemError.drbdRefused(host: node.host, reason: "\(resource.disk) holds \(node.disk) (blkid): `drbdadm create-md \(name)` would write DRBD metadata over it. If that data may go, run `setup drbd --force`; if it is the data to mirror, shrink its file system to leave room for internal metadata first (see drbd's docs on existing data).")
            }
            return [Step(host: node.host, argv: ["drbdadm", "create-md", "--force", name],
                         why: "--force given: \(resource.disk) held \(type), which create-md overwrites"), up]
        }
    }

    /// Phase 2: the initial sync, from the resource's first node, when no disk was ever in sync.
    public static func initialSync(_ resource: DRBDResource, states: [String: DRBDDeviceFacts]) -> Step? {
        guard let first = resource.hosts.first?.name, let device = states[first], device.isConnected else { return nil }
        guard device.disk == .inconsistent, device.peerDisk == .inconsistent, device.role != .primary, device.peerRole != .primary else { return nil }
        return Step(host: first, argv: ["drbdadm", "primary", "--force", resource.name],
                    why: "both disks are new (Inconsistent): \(first) becomes the sync source, on this node only")
    }

    /// Phase 3: `primary` on each node that is not yet, when the resource is dual-primary.
    public static func promotions(_ resource: DRBDResource, states: [String: DRBDDeviceFacts]) -> [Step] {
        guard resource.allowTwoPrimaries else { return [] }
        return resource.hosts.compactMap { node in
            guard let device = states[node.name], device.role != .primary else { return nil }
            return Step(host: node.name, argv: ["drbdadm", "primary", resource.name], why: "dual primary (allowTwoPrimaries): both nodes run guests on \(resource.device)")
        }
    }

    /// The whole plan for a dry run, assuming what phases 2 and 3 would find after a fresh phase 1.
    public static func preview(_ resource: DRBDResource, nodes: [NodeState], force: Bool) throws(SystemError) -> [Step] {
        var steps: [Step] = []
        for node in nodes { steps += try attach(resource, node, force: force) }
        let fresh = nodes.allSatisfy { $0.device == nil && $0.disk != .drbdMetadata }
        var states: [String: DRBDDeviceFacts] = [:]
        for node in nodes {
            states[node.host] = node.device ?? DRBDDeviceFacts(connection: .connected, role: .secondary, peerRole: .secondary,
                                                               disk: fresh ? .inconsistent : .upToDate, peerDisk: fresh ? .inconsistent : .upToDate)
        }
        if let sync = initialSync(resource, states: states) {
            steps.append(sync)
            if let first = resource.hosts.first?.name { states[first]?.role = .primary }
        }
        return steps + promotions(resource, states: states)
    }
}

extension SystemError {
    /// `DRBDBringUp` will not act on `host`: it would destroy data (nothing was done).
    public static func drbdRefused(host: String, reason: String) -> SystemError {
        SystemError(.refused, "\(host): \(reason)", host: host, reason: reason)
    }
}
