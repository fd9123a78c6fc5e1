import ArgumentParser
import StorageModel
import StorageSystem
import Synchronization

extension Setup {
    struct DRBD: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drbd",
            abstract: "DRBD resources on their two nodes: /etc/drbd.d, modprobe options and the replication port; then metadata, up, the initial sync and Primary on both when dual-primary.",
            discussion: """
                Files first, on every node (as `apply` would). Then, per resource whose two nodes are \
                both in this run: `drbdadm create-md` only where `blkid -p` finds nothing on the disk \
                (a file system or other signature is refused without --force; existing DRBD metadata \
                is kept), `drbdadm up` (or `adjust` when the resource is already up), and once both \
                nodes are Connected: if neither disk was ever in sync, `drbdadm primary --force` on \
                the resource's first node only (the initial sync); with allowTwoPrimaries, once both \
                disks are UpToDate, `drbdadm primary` on each node. A second run changes nothing. \
                --dry-run shows the files' diffs and these steps as the nodes' current state implies.
                Exit status: 0 done, 1 failed, refused or timed out, 2 bad usage or invalid spec.
                """)
        @OptionGroup var options: SpecOptions
        @OptionGroup var change: ChangeOptions
        @Flag(help: "Write DRBD metadata even over a file system or other signature blkid finds on the disk (its data is lost).")
        var force = false
        @Option(help: ArgumentHelp("Seconds to wait for the initial sync before the second node becomes Primary.", valueName: "seconds"))
        var syncTimeout = 600

        func run() async throws {
            var run = ChangeRun(
                options: options, change: change, parts: [.drbd, .firewall],
                defaultHosts: { spec in DRBDFollowUp.nodes(spec) })
            run.confirmFirewallWithin = FirewallDefaults.confirmWithin(0)
            run.refuseHost = { spec, host in
                guard spec.drbd != nil else { return "the spec has no `drbd:` section" }
                return spec.drbdResources(of: host.name).isEmpty ? "\(host.name) is a node of no DRBD resource (see drbd.resources[].hosts)" : nil
            }
            let force = force
            let syncTimeout = Duration.seconds(syncTimeout)
            run.followUp = { spec, hosts, dryRun in await DRBDFollowUp.run(spec, hosts: hosts, dryRun: dryRun, force: force, syncTimeout: syncTimeout) }
            try await run.run()
        }
    }
}

/// The part of `setup drbd` that spans both nodes of each resource.
enum DRBDFollowUp {
    static func nodes(_ spec: ClusterSpec) -> [String] {
        var seen = Set<String>()
        return (spec.drbd?.resources ?? []).flatMap { $0.hosts.map(\.name) }.filter { seen.insert($0).inserted }
    }

    static func run(_ spec: ClusterSpec, hosts: [String], dryRun: Bool, force: Bool, syncTimeout: Duration) async -> FollowUp {
        var followUp = FollowUp(title: dryRun ? "DRBD steps (dry run: none run)" : "DRBD")
        for resource in spec.drbd?.resources ?? [] {
            let nodes = resource.hosts.map(\.name)
            guard nodes.contains(where: hosts.contains) else { continue }
            guard nodes.allSatisfy(hosts.contains) else {
                followUp.lines.append(.init(mark: "·", text: "\(resource.name): not brought up, \(nodes.filter { !hosts.contains($0) }.joined(separator: ", ")) is not in this run (--host); both nodes act together"))
                continue
            }
            var transports: [String: any Transport] = [:]
            do {
                for name in nodes {
                    guard let host = spec.host(named: name) else { continue }
                    transports[name] = try HostContext.make(spec, host: host).transport
                }
            } catch {
                followUp.lines.append(.init(mark: "✗", text: "\(resource.name): \(error)"))
                followUp.failed = true
                continue
            }
            var setup = DRBDSetup(resource: resource, transports: transports)
            setup.force = force
            setup.syncTimeout = syncTimeout
            do {
                if dryRun {
                    let states = try await setup.nodeStates(loadModule: false)
                    do {
                        for step in try DRBDBringUp.preview(resource, nodes: states, force: force) { followUp.lines.append(.init(mark: "→", text: step.description)) }
                    } catch {
                        followUp.lines.append(.init(mark: "✗", text: "\(resource.name): refused on \(error)"))
                        followUp.failed = true
                    }
                } else {
                    let lines = Mutex<[String]>([])
                    try await setup.run { line in
                        // Waits can be long: say so as they start, on stderr (stdout stays one report).
                        if line.hasPrefix("waiting") { Console.error("  … \(line)") }
                        lines.withLock { $0.append(line) }
                    }
                    followUp.lines += lines.withLock { $0 }.filter { !$0.hasPrefix("waiting") }.map { .init(mark: "✓", text: $0) }
                    followUp.lines.append(.init(mark: "✓", text: "\(resource.name) is up on \(nodes.joined(separator: " and "))"))
                }
            } catch {
                followUp.lines.append(.init(mark: "✗", text: error.description))
                followUp.failed = true
            }
        }
        return followUp
    }
}
