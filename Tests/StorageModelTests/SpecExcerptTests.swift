import Foundation
import Testing
@testable import StorageModel

/// The spec a hypervisor is sent during `check`: only the hosts its facts depend on, and the
/// same facts from it as from the whole spec.
@Suite struct SpecExcerptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("examples/\(name).yaml"), encoding: .utf8)
    }

    @Test(arguments: ["lab", "kvm-nfs", "xen-iscsi-multipath", "xen-drbd", "xen-nfs-on-hypervisor", "kernel-lab-drbd"])
    func everyHypervisorSeesTheSameStorageInItsExcerpt(_ name: String) throws {
        let yaml = try Self.example(name)
        let full = try SpecLoader.load(yaml: yaml).spec
        let excerpt = try #require(SpecExcerpt(yaml: yaml), "\(name): the hosts could not be cut out")
        for host in full.hypervisors {
            let peers = full.hypervisors.filter { $0.name != host.name }.prefix(1).map(\.name)
            let needed = full.hostsNeeded(by: host.name, probing: peers)
            let text = excerpt.keeping(needed)
            let cut = try SpecLoader.load(yaml: text).spec
            #expect(Set(cut.hosts.map(\.name)) == needed.intersection(full.hosts.map(\.name)), "\(name) for \(host.name)")
            let mine = try #require(cut.host(named: host.name))
            #expect(mine == host)
            #expect(cut.targets(reachableBy: mine).map(\.iqn) == full.targets(reachableBy: host).map(\.iqn), "\(name) for \(host.name)")
            #expect(cut.initiatorName(of: mine) == full.initiatorName(of: host))
            #expect(cut.nfsServerAddress == full.nfsServerAddress)
            #expect(cut.sharedMounts(of: mine) == full.sharedMounts(of: host))
            #expect(cut.nfs == full.nfs && cut.iscsi == full.iscsi && cut.drbd == full.drbd && cut.migration == full.migration)
            #expect(cut.hypervisors.filter { peers.contains($0.name) } == full.hypervisors.filter { peers.contains($0.name) })
            for target in full.iscsi?.targets ?? [] { #expect(cut.portals(of: target) == full.portals(of: target)) }
        }
    }

    @Test func aTwoHundredHostSpecShrinksToWhatOneHostNeeds() throws {
        var yaml = "cluster: big\nnetwork: [10.1.0.0/16]\n# the hosts\nhosts:\n  - {name: nfs, address: 10.1.255.9, roles: [nfs-server]}\n"
        for index in 1...200 { yaml += "  - {name: hv\(index), address: 10.1.0.\(index), roles: [hypervisor]}\n" }
        yaml += "\n# storage\nnfs:\n  server: nfs\n  exports:\n    - {path: /srv/vm, clients: [10.1.0.0/16], options: [rw, sync, no_root_squash, no_subtree_check]}\n"
        let text = try #require(SpecExcerpt(yaml: yaml)).keeping(["nfs", "hv7", "hv6", "hv8"])
        let cut = try SpecLoader.load(yaml: text).spec
        #expect(cut.hosts.map(\.name) == ["nfs", "hv6", "hv7", "hv8"])
        #expect(cut.nfs == (try SpecLoader.load(yaml: yaml).spec).nfs)
        #expect(text.utf8.count < yaml.utf8.count / 20)
        #expect(text.contains("# the hosts") && text.contains("# storage"), "comments outside the entries stay")
    }

    @Test func aListWrittenOnOneLineIsSentWhole() {
        #expect(SpecExcerpt(yaml: "cluster: x\nhosts: [{name: a, address: 10.0.0.1, roles: [nfs-server]}, {name: b, address: 10.0.0.2, roles: [hypervisor]}]\n") == nil)
        #expect(SpecExcerpt(yaml: "cluster: x\n") == nil)
        #expect(SpecExcerpt(yaml: "- not a mapping\n") == nil)
    }
}

extension SpecExcerptTests {
    @Test func aFlowListOverSeveralLinesIsSentWhole() {
        #expect(SpecExcerpt(yaml: "cluster: x\nhosts: [\n  {name: a, address: 10.0.0.1, roles: [nfs-server]},\n  {name: b, address: 10.0.0.2, roles: [hypervisor]}\n]\n") == nil)
    }
}
