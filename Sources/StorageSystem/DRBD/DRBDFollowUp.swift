import StorageModel

/// The part of `setup drbd` that spans both nodes of each resource: once both nodes' files are
/// in place, `DRBDSetup` on each resource whose two nodes are in the run; in a dry run, the
/// steps `DRBDBringUp` would take from the nodes' current state.
public struct DRBDFollowUp: ChangeFollowUp {
    public var force: Bool
    public var syncTimeout: Duration

    public init(force: Bool, syncTimeout: Duration) {
        self.force = force
        self.syncTimeout = syncTimeout
    }

    /// Every node of a DRBD resource, in the spec's order.
    public static func nodes(_ spec: ClusterSpec) -> [String] {
        var seen = Set<String>()
        return (spec.drbd?.resources ?? []).flatMap { $0.hosts.map(\.name) }.filter { seen.insert($0).inserted }
    }

    public func run(_ spec: ClusterSpec, hosts: [String], dryRun: Bool, events: @Sendable (ChangeEvent) -> Void) async -> FollowUp {
        var followUp = FollowUp(title: dryRun ? "DRBD steps (dry run: none run)" : "DRBD")
        for resource in spec.drbd?.resources ?? [] {
            let nodes = resource.hosts.map(\.name)
            guard nodes.contains(where: hosts.contains) else { continue }
            guard nodes.allSatisfy(hosts.contains) else {
                let missing = nodes.filter { !hosts.contains($0) }.joined(separator: ", ")
                followUp.lines.append(.init(.note, "\(resource.name): not brought up, \(missing) is not in this run (--host); both nodes act together"))
                continue
            }
            var transports: [String: any Transport] = [:]
            do {
                for name in nodes {
                    guard let host = spec.host(named: name) else { continue }
                    transports[name] = try HostContext.make(spec, host: host).transport
                }
            } catch {
                followUp.lines.append(.init(.failed, "\(resource.name): \(error)"))
                followUp.failed = true
                continue
            }
            var setup = DRBDSetup(resource: resource, transports: transports)
            setup.force = force
            setup.syncTimeout = syncTimeout
            if dryRun {
                await preview(setup, into: &followUp)
            } else {
                await bringUp(setup, nodes: nodes, into: &followUp, events: events)
            }
        }
        return followUp
    }

    private func preview(_ setup: DRBDSetup, into followUp: inout FollowUp) async {
        do {
            let states = try await setup.nodeStates(loadModule: false)
            do {
                for step in try DRBDBringUp.preview(setup.resource, nodes: states, force: force) { followUp.lines.append(.init(.planned, step.description)) }
            } catch {
                followUp.lines.append(.init(.failed, "\(setup.resource.name): refused on \(error)"))
                followUp.failed = true
            }
        } catch {
            followUp.lines.append(.init(.failed, error.description))
            followUp.failed = true
        }
    }

    /// The steps done are reported once the resource is up; a failure reports itself only.
    private func bringUp(_ setup: DRBDSetup, nodes: [String], into followUp: inout FollowUp, events: @Sendable (ChangeEvent) -> Void) async {
        var done: [DRBDBringUp.Step] = []
        do {
            try await setup.run { event in
                switch event {
                case .done(let step): done.append(step)
                case .waiting(let wait): events(.waiting(wait.description))
                }
            }
            followUp.lines += done.map { .init(.done, $0.description) }
            followUp.lines.append(.init(.done, "\(setup.resource.name) is up on \(nodes.joined(separator: " and "))"))
        } catch {
            followUp.lines.append(.init(.failed, error.description))
            followUp.failed = true
        }
    }
}
