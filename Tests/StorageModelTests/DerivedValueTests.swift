@testable import StorageModel
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
