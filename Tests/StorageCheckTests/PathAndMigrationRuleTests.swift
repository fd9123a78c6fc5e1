import StorageCheck
import StorageFacts
import StorageModel
import Testing

@Suite struct PathAndMigrationRuleTests {
    @Test func aSilentHostIsNotReadyWithItsCause() {
        let findings = CheckFixtures.findings { facts in facts["hv2"]!.version = "silent" }
        let silent = findings.failing(.hostFacts)
        #expect(silent.map(\.hosts) == [["hv2"]])
        #expect(silent.first?.message == "gave no facts: did not answer within 4 s")
        #expect(!findings.ready)
    }

    @Test func aMissingMountPathFailsWithTheMountCommand() {
        let findings = CheckFixtures.findings { facts in facts["hv2"]!.paths[0] = PathFacts(path: "/var/lib/vmstore", exists: false, isDirectory: false) }
        #expect(findings.failing(.pathExists).first?.fix == "storagekit mount --host hv2 --spec c.yaml")
        // hv3 shares nothing: its paths are not judged.
        #expect(!findings.contains { $0.check == .pathExists && $0.hosts.contains("hv3") })
    }

    @Test func mountsMustBeTheSameSourceAndTypeEverywhere() {
        let good = CheckFixtures.findings { facts in
            for host in ["hv1", "hv2"] { facts[host]!.kernel.mounts = .known([MountFacts(target: "/var/lib/vmstore", source: "10.99.1.9:/srv/vmstore", fstype: "nfs4")]) }
        }
        #expect(good.with(.pathMountSame, .pass).first.map { Set($0.hosts) } == ["hv1", "hv2"])
        let bad = CheckFixtures.findings { facts in
            facts["hv1"]!.kernel.mounts = .known([MountFacts(target: "/var/lib/vmstore", source: "10.99.1.9:/srv/vmstore", fstype: "nfs4")])
            facts["hv2"]!.kernel.mounts = .known([MountFacts(target: "/var/lib/vmstore", source: "/dev/sda3", fstype: "ext4")])
        }
        #expect(bad.failing(.pathMountSame).first?.message == "/var/lib/vmstore has /dev/sda3 (ext4), the spec wants 10.99.1.9:/srv/vmstore (nfs)")
        #expect(bad.with(.pathMountSame, .pass).isEmpty)
        let unmounted = CheckFixtures.findings { facts in facts["hv1"]!.kernel.mounts = .known([]) }
        #expect(unmounted.failing(.pathMountSame).first?.message == "nothing is mounted on /var/lib/vmstore")
    }

    @Test func migrationPortsDroppedFailClosedListenersWarn() {
        let findings = CheckFixtures.findings { facts in
            facts["hv1"]!.migrationPorts[2].reach = .timeout
            facts["hv2"]!.migrationPorts[0].reach = .refused
        }
        // The destination's firewall is at fault: the destination is named, with its prober.
        let dropped = findings.failing(.migrationPort)
        #expect(dropped.map(\.hosts) == [["hv2"]])
        #expect(dropped.first?.message == "from hv1: qemu-migration 10.99.1.12:49152 dropped")
        #expect(dropped.first?.fix?.hasPrefix("storagekit firewall apply --host hv2 --spec c.yaml;") == true)
        let quiet = findings.with(.migrationPort, .warn).first
        #expect(quiet?.hosts == ["hv1"])
        #expect(quiet?.message.hasPrefix("nothing listens on 16509/16514") == true)
    }

    @Test func aProberThatReachesNothingIsNamedAloneNotItsPeers() {
        let findings = CheckFixtures.findings { facts in
            for index in facts["hv1"]!.migrationPorts.indices { facts["hv1"]!.migrationPorts[index].reach = .timeout }
            for index in facts["hv1"]!.iscsi.indices { facts["hv1"]!.iscsi[index].tcp = .timeout }
            facts["hv1"]!.nfs?.rpcbind = .timeout
        }
        let failing = findings.failing(.migrationPort)
        #expect(failing.map(\.hosts) == [["hv1"]])
        #expect(failing.first?.message.hasPrefix("reaches none of its peers' migration ports (hv2") == true)
        // Its peer's firewall is not blamed for it.
        #expect(!findings.contains { $0.check == CheckID.migrationPort && $0.status == .fail && $0.hosts.contains("hv2") })
    }

    @Test func cpuVendorOSAndBridgesMustMatchFlagsMayDifferWithAWarning() {
        let findings = CheckFixtures.findings { facts in
            facts["hv2"]!.system.cpuVendor = "AuthenticAMD"
            facts["hv2"]!.system.cpuFlags.append("avx512f")
            facts["hv2"]!.system.osVersion = "11.9"
            facts["hv2"]!.system.bridges = []
        }
        #expect(findings.failing(.migrationCPUVendor).first?.message.contains("hv2 AuthenticAMD") == true)
        #expect(findings.with(.migrationCPUFlags, .warn).first?.message == "hv1 lacks avx512f")
        #expect(findings.failing(.migrationOS).first?.message.contains("hv2: debian 11.9") == true)
        #expect(findings.failing(.migrationBridges).first?.message.contains("hv2: none") == true)
    }

    @Test func selinuxMattersOnRHELWithNFSOnly() {
        var spec = CheckFixtures.spec
        spec.os = .rhel
        let off = CheckFixtures.findings(spec: spec) { facts in
            facts["hv1"]!.system.virtUseNFS = .known(false)
            facts["hv2"]!.system.virtUseNFS = .known(true)
        }
        #expect(off.failing(.migrationSELinux).first?.fix == "setsebool -P virt_use_nfs on")
        #expect(off.with(.migrationSELinux, .pass).first?.hosts == ["hv2"])
        #expect(CheckFixtures.findings().filter { $0.check == .migrationSELinux }.isEmpty)
    }

    @Test func guestDisksMustBeSharedWithASafeCacheMode() {
        let findings = CheckFixtures.findings { facts in
            facts["hv1"]!.domains = .known([
                DomainFacts(name: "web", disks: [DiskFacts(source: "/var/lib/vmstore/web.qcow2", cache: "none")]),
                DomainFacts(name: "db", disks: [DiskFacts(source: "/var/lib/libvirt/images/db.qcow2", cache: "writeback")]),
                DomainFacts(name: "raw", disks: [DiskFacts(source: "/dev/mapper/vmstore-1", cache: "directsync")]),
                DomainFacts(name: "prefix", disks: [DiskFacts(source: "/var/lib/vmstore-old/x.img", cache: "none")]),
            ])
        }
        let shared = findings.failing(.migrationDisksShared)
        #expect(shared.count == 2)
        #expect(shared.contains { $0.message.hasPrefix("db:") } && shared.contains { $0.message.hasPrefix("prefix:") })
        // Releases unknown: writeback may or may not migrate, so it warns (CoverageRuleTests has the rest).
        #expect(findings.with(.migrationDisksCache, .warn).map(\.message).first?.hasPrefix("db: /var/lib/libvirt/images/db.qcow2 uses cache=writeback, safe to migrate only with libvirt ≥ 5.6 and QEMU ≥ 4.0") == true)
        #expect(findings.with(.migrationDisksShared, .skip).first?.hosts == ["hv2"])
    }

    @Test func everyCheckIdIsDocumented() throws {
        let docs = try String(contentsOfFile: #filePath.components(separatedBy: "/Tests/")[0] + "/docs/checks.md", encoding: .utf8)
        for id in CheckID.allCases { #expect(docs.contains("`\(id.rawValue)`"), "docs/checks.md lacks \(id.rawValue)") }
    }
}
