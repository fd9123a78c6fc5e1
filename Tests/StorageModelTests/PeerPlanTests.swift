import Testing
@testable import StorageModel

/// Who probes whose migration ports: ring neighbours, one host of each other storage network,
/// or every pair.
@Suite struct PeerPlanTests {
    static func hosts(_ count: Int, network: (Int) -> String = { _ in "10.1.0" }) -> [Host] {
        (1...count).map { Host(name: "hv\($0)", addresses: ["\(network($0)).\($0 + 10)"], roles: [.hypervisor]) }
    }

    @Test func eachDestinationIsProbedByItsTwoRingNeighbours() {
        let plan = PeerPlan(hosts: Self.hosts(5), networks: ["10.1.0.0/24"], allPairs: false)
        #expect(plan.probers(of: "hv1") == ["hv2", "hv5"])
        #expect(plan.probers(of: "hv3") == ["hv2", "hv4"])
        #expect(Set(plan.peers(of: "hv1")) == ["hv2", "hv5"])
        #expect(plan.targets.values.map(\.count).reduce(0, +) == 10)
    }

    @Test func theLoadGrowsLinearlyNotWithTheSquare() {
        let plan = PeerPlan(hosts: Self.hosts(200), networks: ["10.1.0.0/24"], allPairs: false)
        #expect(plan.targets.values.map(\.count).reduce(0, +) == 400, "200 × 2 probes, not 200 × 199")
        #expect(plan.targets.values.allSatisfy { $0.count == 2 })
    }

    @Test func oneProberPerDestinationSweepsTheWholeRange() {
        let plan = PeerPlan(hosts: Self.hosts(200), networks: ["10.1.0.0/24"], allPairs: false)
        // The ring predecessor sweeps; the successor connects to the range's ends only.
        #expect(plan.sweeps(of: "hv1") == ["hv2"])
        #expect(plan.sweeps(of: "hv200") == ["hv1"])
        #expect(plan.sweeps.values.map(\.count).reduce(0, +) == 200, "one sweep per destination")
        for (source, swept) in plan.sweeps { #expect(Set(swept).isSubset(of: plan.peers(of: source))) }
    }

    @Test func eachGroupOfSourcesSweepsAndAllPairsSweepsEverything() {
        let hosts = Self.hosts(6) { $0 == 4 ? "10.2.0" : "10.1.0" }
        let plan = PeerPlan(hosts: hosts, networks: ["10.1.0.0/24", "10.2.0.0/24"], allPairs: false)
        // hv1's probers: hv6 (predecessor), hv2, and hv4 for the other network: hv6 and hv4 sweep.
        let sweepers = plan.sweeps.filter { $0.value.contains("hv1") }.map(\.key).sorted()
        #expect(sweepers == ["hv4", "hv6"])
        // hv5's probers are hv4 (predecessor, the other network) and hv6: both groups sweep.
        #expect(plan.sweeps.filter { $0.value.contains("hv5") }.map(\.key).sorted() == ["hv4", "hv6"])
        let all = PeerPlan(hosts: Self.hosts(5), networks: ["10.1.0.0/24"], allPairs: true)
        #expect(all.sweeps == all.targets)
    }

    @Test func aHostTheFirewallTellsApartProbesEveryDestination() {
        // hv4 alone is on another storage network: the firewall's rules for it are other rules,
        // so it probes every peer, and every peer keeps its ring neighbours too.
        let hosts = Self.hosts(6) { $0 == 4 ? "10.2.0" : "10.1.0" }
        let plan = PeerPlan(hosts: hosts, networks: ["10.1.0.0/24", "10.2.0.0/24"], allPairs: false)
        for destination in ["hv1", "hv2", "hv6"] {
            #expect(plan.probers(of: destination).contains("hv4"), "\(destination): \(plan.probers(of: destination))")
        }
        #expect(plan.probers(of: "hv1") == ["hv2", "hv4", "hv6"])
        // hv4 itself is probed by its neighbours, which stand for the other network already.
        #expect(plan.probers(of: "hv4") == ["hv3", "hv5"])
    }

    @Test func allPairsKeepsTheFullMatrixAndTinyClustersProbeWhatExists() {
        let all = PeerPlan(hosts: Self.hosts(5), networks: ["10.1.0.0/24"], allPairs: true)
        #expect(all.targets.values.map(\.count).reduce(0, +) == 20)
        let two = PeerPlan(hosts: Self.hosts(2), networks: ["10.1.0.0/24"], allPairs: false)
        #expect(two.peers(of: "hv1") == ["hv2"] && two.peers(of: "hv2") == ["hv1"])
        let one = PeerPlan(hosts: Self.hosts(1), networks: ["10.1.0.0/24"], allPairs: false)
        #expect(one.peers(of: "hv1").isEmpty)
        #expect(one.peers(of: "nobody").isEmpty)
    }
}
