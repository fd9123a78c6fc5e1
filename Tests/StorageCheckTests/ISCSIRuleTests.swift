import StorageCheck
import StorageFacts
import StorageModel
import Testing

@Suite struct ISCSIRuleTests {
    @Test func aHealthyClusterIsReadyAndKernelFactsAreSkippedNotPassed() {
        let findings = CheckFixtures.findings()
        #expect(findings.ready, "\(findings.filter { $0.status == .fail })")
        #expect(findings.with(.iscsiSession, .skip).first?.message.contains("lab host") == true)
        #expect(findings.with(.iscsiSession, .pass).isEmpty && findings.with(.iscsiMultipath, .pass).isEmpty)
        // Passes that say the same of hv1 and hv2 are one line naming both.
        #expect(findings.with(.iscsiLUNIdentity, .pass).count == 2)
        #expect(findings.with(.iscsiLUNIdentity, .pass).allSatisfy { Set($0.hosts) == ["hv1", "hv2"] })
    }

    @Test func aHypervisorOutsideTheACLIsAWarningWithTheSpecChange() {
        let warning = CheckFixtures.findings().with(.iscsiAccess, .warn)
        #expect(warning.map(\.hosts) == [["hv3"]])
        #expect(warning.first?.fix == "add hv3 to iscsi.targets[0].initiators, then storagekit setup iscsi-target --spec c.yaml")
    }

    @Test func refusedAndDroppedPortalsReadDifferently() {
        let findings = CheckFixtures.findings { facts in
            facts["hv1"]!.iscsi[0].tcp = .refused
            facts["hv2"]!.iscsi[1].tcp = .timeout
        }
        let refused = findings.failing(.iscsiPortalReachable).first { $0.hosts == ["hv1"] }
        #expect(refused?.message.contains("refused the connection") == true)
        #expect(refused?.fix == "storagekit setup iscsi-target --spec c.yaml")
        let dropped = findings.failing(.iscsiPortalReachable).first { $0.hosts == ["hv2"] }
        #expect(dropped?.message.contains("a firewall drops port 3260") == true)
        #expect(dropped?.fix?.hasPrefix("storagekit firewall apply --host san --spec c.yaml;") == true)
        // Nothing past a dead portal is judged for it.
        #expect(findings.failing(.iscsiLoginAccepted).isEmpty)
        #expect(!findings.ready)
    }

    @Test func notDiscoveredAndLoginFailuresNameTheirFix() {
        let findings = CheckFixtures.findings { facts in
            facts["hv2"]!.iscsi[0].discovered = []
            facts["hv2"]!.iscsi[0].error = ProbeFailure(.notInACL, "10.99.1.5:3260 does not offer it")
            facts["hv1"]!.iscsi[1].error = ProbeFailure(.authFailed, "rejected the CHAP credentials")
        }
        #expect(findings.failing(.iscsiTargetDiscovered).map(\.hosts) == [["hv2"]])
        #expect(findings.failing(.iscsiLoginAccepted).count == 2)
        let auth = findings.failing(.iscsiLoginAccepted).first { $0.hosts == ["hv1"] }
        #expect(auth?.fix?.contains("/etc/storagekit/chap.secret") == true)
    }

    @Test func aMissingOrUnreadyLUNThroughOnePortalFails() {
        let findings = CheckFixtures.findings { facts in
            facts["hv1"]!.iscsi[1].luns.removeLast()
            facts["hv2"]!.iscsi[0].luns[0].ready = false
        }
        let visible = findings.failing(.iscsiLUNVisible)
        #expect(visible.count == 2)
        #expect(visible.contains { $0.hosts == ["hv1"] && $0.message.contains("LUN 2") && $0.message.contains("10.99.2.5:3260") })
        #expect(visible.contains { $0.hosts == ["hv2"] && $0.message.contains("not ready") })
    }

    @Test func aLUNThatIsNotOneDiskEverywhereFails() {
        let findings = CheckFixtures.findings { facts in facts["hv2"]!.iscsi[1].luns[0].serial = "OTHER" }
        let identity = findings.failing(.iscsiLUNIdentity)
        #expect(identity.count == 1)
        #expect(identity.first?.message.contains("hv2 via 10.99.2.5:3260: serial OTHER") == true)
    }

    @Test func identitiesOtherThanTheSpecsFailEvenWhenConsistent() {
        let findings = CheckFixtures.findings { facts in
            for host in ["hv1", "hv2"] { for index in 0..<2 { facts[host]!.iscsi[index].luns[1].wwid = "3beaf" } }
        }
        #expect(findings.failing(.iscsiLUNIdentity).first?.message.contains("the spec gives") == true)
    }

    @Test func twoLUNsWithOneSerialAreRefusedAsOneDevice() {
        let findings = CheckFixtures.findings { facts in
            for host in ["hv1", "hv2"] { for index in 0..<2 { facts[host]!.iscsi[index].luns[1].serial = facts[host]!.iscsi[index].luns[0].serial } }
        }
        let unique = findings.failing(.iscsiLUNUnique)
        #expect(unique.count == 1)
        #expect(unique.first?.message.contains("LUN 1 of iqn.2026-11.t.san:vmstore and LUN 2 of iqn.2026-11.t.san:vmstore report the same serial") == true)
        #expect(findings.with(.iscsiLUNUnique, .pass).isEmpty)
    }

    @Test func kernelSessionsAndMultipathAreRequiredWhereTheKernelAnswers() {
        let spec = CheckFixtures.spec
        let target = spec.iscsi!.targets[0]
        let wwids = target.luns.map { spec.identity(of: target, $0).wwid }
        let findings = CheckFixtures.findings { facts in
            facts["hv1"]!.kernel.sessions = .known(CheckFixtures.portals.map { SessionFacts(target: CheckFixtures.target, portal: $0, sessionState: .loggedIn) })
            facts["hv1"]!.kernel.multipath = .known([
                MultipathMapFacts(alias: "vmstore-1", wwid: wwids[0], paths: [.init(hctl: "2:0:0:1", device: "sda", state: "active ready running"), .init(hctl: "3:0:0:1", device: "sdc", state: "active ready running")]),
                MultipathMapFacts(alias: "vmstore-2", wwid: wwids[1], paths: [.init(hctl: "2:0:0:2", device: "sdb", state: "active ready running"), .init(hctl: "3:0:0:2", device: "sdd", state: "failed faulty offline")]),
            ])
            facts["hv2"]!.kernel.sessions = .known([SessionFacts(target: CheckFixtures.target, portal: CheckFixtures.portals[0], sessionState: .loggedIn)])
            facts["hv2"]!.kernel.multipath = .known([])
        }
        #expect(findings.with(.iscsiSession, .pass).count == 2 && findings.with(.iscsiSession, .pass).allSatisfy { $0.hosts.contains("hv1") })
        #expect(findings.failing(.iscsiSession).map(\.message) == ["no session to iqn.2026-11.t.san:vmstore via 10.99.2.5:3260"])
        #expect(findings.failing(.iscsiSession).first?.fix == "storagekit iscsi login --host hv2 --spec c.yaml")
        let multipath = findings.failing(.iscsiMultipath)
        #expect(multipath.contains { $0.hosts == ["hv1"] && $0.message.contains("/dev/mapper/vmstore-2 has 1 active path(s) of 2") })
        #expect(multipath.contains { $0.hosts == ["hv2"] && $0.message.contains("does not exist") })
        #expect(findings.with(.pathDeviceSame, .pass).contains { $0.hosts == ["hv1"] })
        #expect(findings.failing(.pathDeviceSame).contains { $0.hosts == ["hv2"] })
    }
}
