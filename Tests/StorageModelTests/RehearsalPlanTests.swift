import Testing
@testable import StorageModel

/// Which hypervisors hand a canary VM to which, and on what storage.
@Suite struct RehearsalPlanTests {
    static func spec(hypervisors: Int = 3, yaml extra: String = "") throws -> ClusterSpec {
        var yaml = """
            cluster: t
            mountPath: /var/lib/vmstore
            network: [10.1.0.0/24]
            hosts:
              - {name: nfs, address: 10.1.0.9, roles: [nfs-server]}
              - {name: san, address: 10.1.0.5, roles: [iscsi-target]}

            """
        for index in 1...hypervisors { yaml += "  - {name: hv\(index), address: 10.1.0.\(10 + index), roles: [hypervisor]}\n" }
        yaml += """
            nfs:
              server: nfs
              exports: [{path: /srv/vmstore, clients: [10.1.0.0/24], options: [rw, sync, no_subtree_check]}]

            """
        return try SpecLoader.load(yaml: yaml + extra).spec
    }

    static let rawLUNs = """
        iscsi:
          targets:
            - iqn: iqn.2026-12.t:store
              server: san
              initiators: [hv1, hv2]
              luns: [{lun: 1, backingStore: /srv/a.img, size: 64M}]
          multipath: {alias: store}
        """

    @Test func theRingMakesEachHostASourceOnceAndADestinationOnce() throws {
        let spec = try Self.spec(hypervisors: 4)
        let pairs = spec.rehearsalPairs(.ring, among: spec.hypervisors)
        #expect(pairs.map { "\($0.source)>\($0.destination)" } == ["hv1>hv2", "hv2>hv3", "hv3>hv4", "hv4>hv1"])
        #expect(pairs.allSatisfy { $0.storage == .directory("/var/lib/vmstore") })
        #expect(Set(pairs.map(\.source)).count == 4 && Set(pairs.map(\.destination)).count == 4)
    }

    @Test func allPairsIsEveryOrderedPairAndOnePairIsOne() throws {
        let spec = try Self.spec(hypervisors: 4)
        #expect(spec.rehearsalPairs(.allPairs, among: spec.hypervisors).count == 12)
        #expect(spec.rehearsalPairs(.pair(from: "hv3", to: "hv1"), among: spec.hypervisors).map(\.description) == ["hv3 → hv1 on /var/lib/vmstore"])
        #expect(spec.rehearsalPairs(.pair(from: "hv3", to: "hv3"), among: spec.hypervisors).isEmpty)
        let two = try Self.spec(hypervisors: 2)
        #expect(two.rehearsalPairs(.ring, among: two.hypervisors).map(\.description) == ["hv1 → hv2 on /var/lib/vmstore", "hv2 → hv1 on /var/lib/vmstore"])
        let one = try Self.spec(hypervisors: 1)
        #expect(one.rehearsalPairs(.ring, among: one.hypervisors).isEmpty)
    }

    @Test func rawLUNsAreRehearsedOnlyBetweenHostsTheTargetLetsIn() throws {
        let spec = try Self.spec(hypervisors: 3, yaml: Self.rawLUNs)
        let hv1 = try #require(spec.host(named: "hv1")), hv3 = try #require(spec.host(named: "hv3"))
        #expect(spec.rehearsalStorages(of: hv1) == [.directory("/var/lib/vmstore"), .device("/dev/mapper/store", .multipath)])
        #expect(spec.rehearsalStorages(of: hv3) == [.directory("/var/lib/vmstore")])
        // The ring of each storage is among the hosts that have it.
        let pairs = spec.rehearsalPairs(.ring, among: spec.hypervisors)
        #expect(pairs.filter { $0.storage.path == "/dev/mapper/store" }.map { "\($0.source)>\($0.destination)" } == ["hv1>hv2", "hv2>hv1"])
        #expect(pairs.count == 5)
    }

    @Test func aHostThatSharesNothingWithItsNeighbourLeavesNoHoleInTheRing() throws {
        // hv2 is no client of the export: the export's ring is hv1 → hv3 → hv1.
        let spec = try Self.spec(hypervisors: 3, yaml: "").withClients(["10.1.0.11", "10.1.0.13"])
        let pairs = spec.rehearsalPairs(.ring, among: spec.hypervisors)
        #expect(pairs.map { "\($0.source)>\($0.destination)" } == ["hv1>hv3", "hv3>hv1"])
    }

    @Test func drbdDevicesAreRehearsedBetweenTheirTwoNodes() throws {
        let spec = try SpecLoader.load(yaml: """
            cluster: d
            mountPath: /etc/xen/guests
            network: [10.2.0.0/24]
            hosts:
              - {name: a, address: 10.2.0.1, roles: [hypervisor]}
              - {name: b, address: 10.2.0.2, roles: [hypervisor]}
            drbd:
              resources:
                - {name: r0, device: /dev/drbd0, disk: /dev/vdb, hosts: [{name: a, address: 10.2.0.1}, {name: b, address: 10.2.0.2}]}
            """).spec
        let pairs = spec.rehearsalPairs(.ring, among: spec.hypervisors)
        #expect(pairs.map(\.description) == ["a → b on /dev/drbd0", "b → a on /dev/drbd0"])
        #expect(pairs.first?.storage == .device("/dev/drbd0", .drbd))
    }
}

extension ClusterSpec {
    func withClients(_ clients: [String]) -> ClusterSpec {
        var copy = self
        copy.nfs?.exports[0].clients = clients
        return copy
    }
}
