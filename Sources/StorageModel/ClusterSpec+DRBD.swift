/// DRBD values derived from the spec, one way for the renderers, the checks and `setup drbd`.
extension ClusterSpec {
    /// The resources `host` is one of the two nodes of, in spec order.
    public func drbdResources(of host: String) -> [DRBDResource] {
        (drbd?.resources ?? []).filter { $0.hosts.contains { $0.name == host } }
    }

    /// The other node of `resource`, seen from `host`; nil when `host` is not one of its nodes.
    public func drbdPeer(of host: String, in resource: DRBDResource) -> DRBDNode? {
        guard resource.hosts.contains(where: { $0.name == host }) else { return nil }
        return resource.hosts.first { $0.name != host }
    }

    /// The address `node` replicates over: its own `address`, else its host's first address.
    public func drbdAddress(of node: DRBDNode) -> String? {
        node.address ?? host(named: node.name)?.addresses.first
    }

    /// How a guest config may name the resource's device: `/dev/drbdN`, the udev links
    /// `/dev/drbd/by-res/<name>[/0]`, and Xen's `drbd:<name>` (its block-drbd script).
    public func drbdDiskSources(of resource: DRBDResource) -> [String] {
        [resource.device, "/dev/drbd/by-res/\(resource.name)", "/dev/drbd/by-res/\(resource.name)/0", "drbd:\(resource.name)"]
    }
}
