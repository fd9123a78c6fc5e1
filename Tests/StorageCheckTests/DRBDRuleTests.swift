import Foundation
import StorageCheck
import StorageModel
import Testing
import StorageFacts
@testable import StorageGathering
@testable import StorageSystem

/// hv1 and hv2 mirror r0 (/dev/drbd0) in dual-primary mode, like examples/xen-drbd.yaml; the
/// healthy facts are both Connected, Primary/Primary, UpToDate/UpToDate. Tests break one fact.
enum DRBDCheckFixtures {
    static let yaml = """
        cluster: d
        mountPath: /var/lib/xen/images
        network: [10.20.0.0/24, 10.20.5.0/24]
        hosts:
          - {name: hv1, addresses: [10.20.0.31, 10.20.5.31], roles: [hypervisor]}
          - {name: hv2, addresses: [10.20.0.32, 10.20.5.32], roles: [hypervisor]}
        drbd:
          disableSendpage: true
          resources:
            - name: r0
              device: /dev/drbd0
              disk: /dev/vdb
              port: 7900
              hosts: [{name: hv1, address: 10.20.5.31}, {name: hv2, address: 10.20.5.32}]
        migration: {hypervisor: xen}
        """

    static var spec: ClusterSpec { try! SpecLoader.load(yaml: yaml).spec }

    static let healthyDevice = DRBDDeviceFacts(
        minor: 0, connection: "Connected", replication: "Established", role: "Primary", peerRole: "Primary", disk: "UpToDate", peerDisk: "UpToDate")

    static func healthy(_ host: String) -> HostFacts {
        HostFacts(host: host, version: "test", drbd: .known(DRBDFacts(source: "/proc/drbd", version: "8.4.11", devices: [healthyDevice])))
    }

    /// /proc/drbd as a host would report it, read with the real parser.
    static func proc(_ fixture: String) throws -> Known<DRBDFacts> {
        let text = try String(contentsOfFile: #filePath.components(separatedBy: "/Tests/")[0] + "/Tests/Fixtures/drbd/proc/\(fixture)", encoding: .utf8)
        let contents = try ProcDRBDParser.parse(text)
        return .known(DRBDFacts(source: "/proc/drbd", version: contents.version, devices: contents.devices))
    }

    static func findings(
        spec: ClusterSpec = DRBDCheckFixtures.spec, areas: Set<CheckArea> = [.drbd], _ change: (inout [String: HostFacts]) throws -> Void = { _ in }
    ) throws -> [Finding] {
        var facts = ["hv1": healthy("hv1"), "hv2": healthy("hv2")]
        try change(&facts)
        let context = CheckContext(spec: spec, facts: ClusterFacts(hosts: facts.mapValues { .answered($0) }), specFile: "d.yaml")
        return ReadinessRules.evaluate(context, areas: areas)
    }
}

@Suite struct DRBDRuleTests {
    @Test func connectedDualPrimaryUpToDateIsReady() throws {
        let findings = try DRBDCheckFixtures.findings()
        #expect(findings.ready)
        for check in [CheckID.drbdState, .drbdRoles, .drbdUpToDate] {
            let passed = findings.with(check, .pass)
            #expect(passed.count == 1 && Set(passed[0].hosts) == ["hv1", "hv2"], "\(check): \(findings)")
        }
        #expect(findings.with(.drbdConnected, .pass).map(\.message) == ["r0 is connected to hv2", "r0 is connected to hv1"])
        #expect(findings.with(.drbdUpToDate, .pass).first?.message == "r0 is UpToDate/UpToDate")
        #expect(findings.with(.drbdRoles, .pass).first?.message == "r0 is Primary (dual primary)")
    }

    @Test func aSplitBrainIsNotReadyAndSaysHowToRecover() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv1"]!.drbd = try DRBDCheckFixtures.proc("8.4.0-split-brain-standalone-primary.txt")
            facts["hv2"]!.drbd = try DRBDCheckFixtures.proc("8.4.0-split-brain-standalone-secondary.txt")
        }
        #expect(!findings.ready)
        let failed = findings.failing(.drbdConnected)
        #expect(failed.map(\.hosts) == [["hv1"], ["hv2"]])
        #expect(failed.first?.message.hasPrefix("r0 is StandAlone here (hv2: StandAlone): DRBD stopped replicating, as it does after a split brain") == true)
        let fix = try #require(failed.first?.fix)
        #expect(fix.contains("On the victim: drbdadm disconnect r0; drbdadm secondary r0; drbdadm connect --discard-my-data r0."))
        #expect(fix.contains("On the survivor: drbdadm disconnect r0; drbdadm connect r0"))
        #expect(fix.contains("the victim: hv1 or hv2"))
        // hv2 is Secondary: its role fails too, and promoting waits for the reconnection.
        #expect(findings.failing(.drbdRoles).first?.hosts == ["hv2"])
        #expect(findings.failing(.drbdRoles).first?.fix == "on hv2, once r0 is connected and UpToDate: drbdadm primary r0")
    }

    @Test func theVictimWaitingForAStandAloneSurvivorIsStillASplitBrain() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv1"]!.drbd = try DRBDCheckFixtures.proc("8.4.11-split-brain-victim-wfconnection.txt")
            facts["hv2"]!.drbd = try DRBDCheckFixtures.proc("8.4.0-split-brain-standalone-primary.txt")
        }
        let victim = try #require(findings.failing(.drbdConnected).first { $0.hosts == ["hv1"] })
        #expect(victim.message.hasPrefix("r0 is WFConnection here (hv2: StandAlone): DRBD stopped replicating"))
        #expect(victim.fix?.contains("drbdadm connect --discard-my-data r0") == true)
    }

    @Test func waitingForAPeerThatIsDownOrFilteredNamesItsAddressAndPort() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv1"]!.drbd = try DRBDCheckFixtures.proc("8.4.11-split-brain-victim-wfconnection.txt")
            facts["hv2"]!.drbd = .known(DRBDFacts(source: "/proc/drbd", version: "8.4.11", devices: []))
        }
        let waiting = try #require(findings.failing(.drbdConnected).first)
        #expect(waiting.hosts == ["hv1"])
        #expect(waiting.message == "r0 waits for hv2 (WFConnection): nothing answers on 10.20.5.32:7900")
        #expect(waiting.fix?.hasPrefix("on hv2: drbdadm up r0 (or drbdadm adjust r0); if it is up there, storagekit firewall apply --host hv2 --spec d.yaml") == true)
        let down = try #require(findings.failing(.drbdState).first)
        #expect(down.hosts == ["hv2"])
        #expect(down.message == "r0 (/dev/drbd0) is not up: /proc/drbd does not list it")
        #expect(down.fix?.hasPrefix("on hv2: drbdadm up r0 (the first time: drbdadm create-md r0 before)") == true)
    }

    @Test(arguments: [("8.4.11-sync-target.txt", "r0 is resyncing (SyncTarget, 3.1 % done): Inconsistent here, UpToDate on the peer"),
                      ("8.4.10-sync-source.txt", "r0 is resyncing (SyncSource, 28.3 % done): UpToDate here, Inconsistent on the peer")])
    func aResyncInProgressIsNotReadyYet(_ fixture: String, _ message: String) throws {
        let findings = try DRBDCheckFixtures.findings { facts in facts["hv1"]!.drbd = try DRBDCheckFixtures.proc(fixture) }
        let syncing = findings.failing(.drbdUpToDate)
        #expect(syncing.map(\.hosts) == [["hv1"]])
        #expect(syncing.first?.message == message)
        #expect(syncing.first?.fix?.hasPrefix("wait until it finishes") == true)
        #expect(findings.with(.drbdConnected, .pass).contains { $0.hosts.contains("hv1") }, "a resync is a connection")
    }

    @Test func aPausedResyncSaysHowToResume() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv2"]!.drbd = .known(DRBDFacts(source: "drbdsetup status", devices: [DRBDDeviceFacts(
                resource: "r0", volume: 0, connection: "Connected", replication: "PausedSyncT", role: "Primary", peerRole: "Primary",
                disk: "Inconsistent", peerDisk: "UpToDate", peer: "hv1", syncPercent: 40)]))
        }
        #expect(findings.failing(.drbdUpToDate).first?.message == "r0 is resyncing (PausedSyncT, 40 % done): Inconsistent here, UpToDate on the peer")
        #expect(findings.failing(.drbdUpToDate).first?.fix?.hasPrefix("the resync is paused: drbdadm resume-sync r0") == true)
    }

    @Test func aSecondaryFailsUnlessXensBlockDRBDPromotesIt() throws {
        let secondary = try DRBDCheckFixtures.findings { facts in
            facts["hv2"]!.drbd = try DRBDCheckFixtures.proc("8.3.8-connected-secondary-primary.txt")
        }
        let failed = try #require(secondary.failing(.drbdRoles).first)
        #expect(failed.hosts == ["hv2"])
        #expect(failed.message == "r0 is Secondary here: a guest on /dev/drbd0 cannot start or arrive on hv2 (dual primary needs Primary on both hosts)")
        let scripted = try DRBDCheckFixtures.findings { facts in
            facts["hv2"]!.drbd = try DRBDCheckFixtures.proc("8.3.8-connected-secondary-primary.txt")
            facts["hv2"]!.domains = .known([DomainFacts(name: "wheezy", disks: [DiskFacts(source: "drbd:r0", target: "xvda2")])])
        }
        #expect(scripted.failing(.drbdRoles).isEmpty)
        #expect(scripted.with(.drbdRoles, .pass).contains { $0.message == "r0 is Secondary; its guests use drbd:r0, which Xen's block-drbd promotes on start" })
    }

    @Test func aDiskThatIsNotUpToDateSaysWhatToDo() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv1"]!.drbd = .known(DRBDFacts(source: "/proc/drbd", devices: [DRBDDeviceFacts(
                minor: 0, connection: "StandAlone", role: "Primary", disk: "Diskless")]))
        }
        let disk = try #require(findings.failing(.drbdUpToDate).first)
        #expect(disk.message == "r0's disk here is Diskless, not UpToDate")
        #expect(disk.fix == "on hv1: r0 has no backing disk (/dev/vdb detached after an I/O error?): check the disk, then drbdadm attach r0")
    }

    @Test func drbd9StatusIsMatchedByResourceNameAndPeer() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv1"]!.drbd = .known(DRBDFacts(source: "drbdsetup status", version: "9.2.12", devices: [
                DRBDDeviceFacts(resource: "other", volume: 0, connection: "StandAlone", role: "Secondary", disk: "Outdated", peer: "x"),
                DRBDDeviceFacts(resource: "r0", volume: 0, connection: "Connected", replication: "Established", role: "Primary",
                                peerRole: "Primary", disk: "UpToDate", peerDisk: "UpToDate", peer: "hv2"),
            ]))
        }
        #expect(findings.ready, "\(findings.filter { $0.status == .fail })")
    }

    @Test func missingFactsAreASkipNeverAPass() throws {
        let findings = try DRBDCheckFixtures.findings { facts in
            facts["hv1"]!.drbd = .unknown("/proc/drbd does not exist: the drbd kernel module is not loaded (modprobe drbd)")
        }
        let skipped = findings.with(.drbdState, .skip)
        #expect(skipped.map(\.hosts) == [["hv1"]])
        #expect(skipped.first?.message == "/proc/drbd does not exist: the drbd kernel module is not loaded (modprobe drbd)")
        #expect(!findings.contains { $0.hosts.contains("hv1") && $0.status == .pass && $0.check.area == .drbd })
    }

    @Test func singlePrimaryWarnsThatGuestsCannotMove() throws {
        var spec = DRBDCheckFixtures.spec
        spec.drbd!.resources[0].allowTwoPrimaries = false
        let findings = try DRBDCheckFixtures.findings(spec: spec)
        #expect(findings.ready)
        #expect(findings.with(.drbdRoles, .warn).first?.message == "r0 is Primary and single-primary (allowTwoPrimaries: false): a guest on it cannot live-migrate")
    }

    @Test func onlyAskingForDRBDOfASpecWithoutItSkips() throws {
        let findings = CheckFixtures.findings(areas: [.drbd])
        #expect(findings.with(.drbdState, .skip).first?.message == "the spec has no DRBD resources")
        #expect(!CheckFixtures.findings().contains { $0.check.area == .drbd }, "no DRBD lines at all when the spec has none")
    }

    @Test func guestsOnTheDRBDDeviceAreOnSharedStorage() throws {
        let findings = try DRBDCheckFixtures.findings(areas: [.migration]) { facts in
            facts["hv1"]!.domains = .known([DomainFacts(name: "wheezy", disks: [DiskFacts(source: "drbd:r0", target: "xvda2")]),
                                            DomainFacts(name: "win", disks: [DiskFacts(source: "/dev/drbd0", target: "hda")])])
            facts["hv2"]!.domains = .known([DomainFacts(name: "local", disks: [DiskFacts(source: "/dev/vg0/local", target: "xvda")])])
        }
        #expect(findings.with(.migrationDisksShared, .pass).filter { $0.hosts == ["hv1"] }.count == 2)
        let local = findings.failing(.migrationDisksShared)
        #expect(local.map(\.hosts) == [["hv2"]])
        #expect(local.first?.message == "local: /dev/vg0/local is not under /var/lib/xen/images nor a DRBD device of the spec: the guest cannot move without copying its disk")
        #expect(local.first?.fix == "put the disk on a DRBD resource (drbd:r0 or /dev/drbd0) or under /var/lib/xen/images")
    }
}
