@testable import StorageModel
import Foundation
import StorageTestSupport
import Testing

@Suite struct DerivedValueTests {
    func spec(_ edits: (String, String)...) throws -> ClusterSpec {
        try SpecLoader.load(yaml: SpecFixture.yaml(edits)).spec
    }

    @Test func lunIdentityFixesTheWWIDBeforeAnyProbe() throws {
        let spec = try spec()
        let target = spec.iscsi!.targets[0]
        let identity = spec.identity(of: target, target.luns[0])
        #expect(identity.scsiID.count == 32)
        #expect(identity.scsiID.hasPrefix("6"))
        #expect(identity.scsiID.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(identity.wwid == "3" + identity.scsiID)
        #expect(identity.serial.hasPrefix("SK") && identity.serial.count <= 36)
        #expect(spec.identity(of: target, target.luns[0]) == identity, "stable")
        var other = target.luns[0]
        other.lun = 2
        #expect(spec.identity(of: target, other).scsiID != identity.scsiID)
        var renamed = spec
        renamed.cluster = "lab2"
        #expect(renamed.identity(of: target, target.luns[0]).scsiID != identity.scsiID)
        other.serial = "MY-SERIAL"
        #expect(spec.identity(of: target, other).serial == "MY-SERIAL")
    }

    @Test func defaultInitiatorNameAndACL() throws {
        let spec = try spec()
        #expect(spec.initiatorName(of: spec.host(named: "hv1")!) == "iqn.2026-11.storagekit.lab:hv1")
        #expect(spec.initiatorACL(of: spec.iscsi!.targets[0]) == InitiatorACL(addresses: ["10.20.0.11", "10.20.0.12"], names: []))
        #expect(spec.portals(of: spec.iscsi!.targets[0]) == [Portal(address: "10.20.0.5", port: 3260)])
    }

    @Test func multipathAliases() throws {
        let one = try spec()
        #expect(one.multipathAlias(of: one.iscsi!.targets[0], one.iscsi!.targets[0].luns[0]) == "vmstore")
        var two = one
        two.iscsi!.targets[0].luns.append(ISCSILUN(lun: 2, backingStore: "/srv/b.img", size: "1G"))
        two.iscsi!.targets[0].luns.append(ISCSILUN(lun: 3, backingStore: "/srv/c.img", size: "1G", alias: "db"))
        let target = two.iscsi!.targets[0]
        #expect(target.luns.map { two.multipathAlias(of: target, $0) } == ["vmstore-1", "vmstore-2", "db"])
    }

    @Test func sharedMounts() throws {
        let spec = try spec()
        let mounts = spec.sharedMounts(of: spec.host(named: "hv1")!)
        #expect(mounts.count == 1)
        #expect(mounts.first?.what == "10.20.0.9:/srv/vmstore")
        #expect(mounts.first?.mountPoint == "/var/lib/vmstore")
        #expect(mounts.first?.options == ["_netdev", "hard", "vers=4.1"])
        #expect(spec.sharedMounts(of: spec.host(named: "san1")!).isEmpty)

        let onServer = try self.spec(("    roles: [nfs-server]", "    roles: [nfs-server, hypervisor]"))
        #expect(onServer.sharedMounts(of: onServer.host(named: "nfs1")!)
            == [SharedMount(source: .bind(directory: "/srv/vmstore"), mountPoint: "/var/lib/vmstore", options: ["bind"])])
        let samePath = try self.spec(("    roles: [nfs-server]", "    roles: [nfs-server, hypervisor]"), ("path: /srv/vmstore", "path: /var/lib/vmstore"))
        #expect(samePath.sharedMounts(of: samePath.host(named: "nfs1")!).isEmpty)
    }

    @Test func firewallOpeningsFollowRoles() throws {
        let spec = try spec()
        let nfs = FirewallPolicy.openings(for: spec.host(named: "nfs1")!, in: spec).map { "\($0.proto.rawValue)/\($0.portText)" }
        #expect(Set(nfs) == ["tcp/111", "udp/111", "tcp/2049", "udp/2049", "tcp/892", "udp/892", "tcp/662", "udp/662",
                            "tcp/875", "udp/875", "tcp/32803", "udp/32769"])
        #expect(FirewallPolicy.openings(for: spec.host(named: "san1")!, in: spec).map(\.portText) == ["3260"])
        #expect(FirewallPolicy.openings(for: spec.host(named: "hv1")!, in: spec).map(\.portText) == ["16509", "16514", "49152:49215"])
    }
}

/// LIO's identity: the WWID follows from the unit serial, the way the kernel builds VPD 0x83
/// (`spc_gen_naa_6h_vendor_specific`: NAA 6, company id 00-14-05, the serial's first 25 hex
/// digits, other characters skipped, zeros after a short serial).
@Suite struct LIOIdentityTests {
    @Test(arguments: [
        // 14 hex digits: S and K are not hex; the rest is zeros.
        ("SK0123456789ABCD", "360014050123456789abcd00000000000"),
        // A UUID (what rtslib makes when no serial is given): the first 25 of its 32 digits.
        ("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "36001405a1b2c3d4e5f64a7b8c9d0e1f2"),
    ])
    func theWWIDIsTheKernelsFromTheSerial(_ serial: String, _ wwid: String) {
        let target = ISCSITarget(iqn: "iqn.2026-11.org.example:t", server: "san", implementation: .lio, initiators: [], luns: [])
        let identity = LUNIdentity(cluster: "c", target: target, lun: ISCSILUN(lun: 1, backingStore: "/srv/x.img", size: "1G", serial: serial))
        #expect(identity.serial == serial)
        #expect(identity.wwid == wwid)
        #expect(identity.wwid.count == 33)
    }

    /// Captured in the kernel lab (examples/kernel-lab-lio.yaml): a LIO target guest, and hv1
    /// logged in through both portals. `/lib/udev/scsi_id` there printed, for each LUN, the WWID
    /// storagekit rendered into multipath's wwids file before the login.
    @Test func scsiIDInAGuestSaysTheWWIDsTheSpecDerived() throws {
        let spec = try SpecLoader.load(yaml: String(contentsOf: TestSpecs.packageRoot.appendingPathComponent("examples/kernel-lab-lio.yaml"), encoding: .utf8)).spec
        let target = try #require(spec.iscsi?.targets.first { $0.implementation == .lio })
        let rows = try TestFixtures.text("lio/scsi-id-hv1.txt").split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "|").map(String.init) }
        #expect(rows.count == 4, "two LUNs through two portals")
        for lun in target.luns {
            let identity = spec.identity(of: target, lun)
            let seen = rows.filter { $0[4] == identity.serial }
            #expect(seen.count == 2, "LUN \(lun.lun) (serial \(identity.serial)) through both sessions: \(rows)")
            for row in seen {
                #expect(row[1] == "LIO-ORG" && row[2] == "FILEIO")
                #expect(row[3] == identity.wwid, "scsi_id on \(row[0]) said \(row[3]); the spec derived \(identity.wwid)")
            }
        }
    }

    @Test func aDerivedSerialFillsTheWholeWWIDAndDiffersPerLUNAndFromTgt() {
        let lio = ISCSITarget(iqn: "iqn.2026-11.org.example:t", server: "san", implementation: .lio, initiators: [], luns: [])
        var tgt = lio
        tgt.implementation = .tgt
        let one = LUNIdentity(cluster: "c", target: lio, lun: ISCSILUN(lun: 1, backingStore: "/srv/1.img", size: "1G"))
        let two = LUNIdentity(cluster: "c", target: lio, lun: ISCSILUN(lun: 2, backingStore: "/srv/2.img", size: "1G"))
        #expect(one.serial.hasPrefix("SK") && LUNIdentity.hexDigits(one.serial).count == 30)
        #expect(one.wwid.hasPrefix("36001405") && !one.wwid.hasSuffix("00000"))
        #expect(one.wwid == "36001405" + LUNIdentity.hexDigits(one.serial).prefix(25).lowercased())
        #expect(one.wwid != two.wwid)
        #expect(one.wwid != LUNIdentity(cluster: "c", target: tgt, lun: ISCSILUN(lun: 1, backingStore: "/srv/1.img", size: "1G")).wwid)
    }
}
