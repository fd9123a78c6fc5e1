import Foundation
import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// Parsers and predictions against output captured from a real kernel in a qemu guest
/// (Tests/Fixtures/kernel-guest/README.md): two iSCSI sessions to the lab's tgtd, multipath built
/// from storagekit's rendered files, NFS v3 and v4.1 mounts of the lab's ganesha.
@Suite struct KernelCaptureTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("kernel-guest/\(name)")
    }

    static func exit(_ name: String) throws -> Int { Int(try fixture("\(name).exit").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }

    /// The spec the guest ran against: examples/lab.yaml as cluster sktk.
    static func spec() throws -> ClusterSpec {
        let yaml = try String(contentsOf: TestSpecs.packageRoot.appendingPathComponent("examples/lab.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "cluster: lab", with: "cluster: sktk")
        return try SpecLoader.load(yaml: yaml).spec
    }

    @Test func theWWIDsUdevComputesAreTheOnesTheSpecPredicts() throws {
        let spec = try Self.spec()
        let target = try #require(spec.iscsi?.targets.first)
        let predicted = Set(target.luns.map { spec.identity(of: target, $0).wwid })
        let seen = Set(try ["sda", "sdb", "sdc", "sdd"].map { try Self.fixture("scsi_id-\($0).txt").trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(seen == predicted)
    }

    @Test func sessionListAndExitCodes() throws {
        let sessions = try ISCSISessionListParser.parse(try Self.fixture("iscsiadm-session.txt"))
        #expect(Set(sessions.map(\.portal)) == ["10.99.1.5:3260", "10.99.2.5:3260"])
        #expect(sessions.allSatisfy { $0.target == "iqn.2026-11.lab.san:vmstore" })
        #expect(try Self.exit("iscsiadm-login-again.txt") == 15, "a second login: session already present")
        #expect(try Self.exit("iscsiadm-session-none.txt") == 21)
        #expect(throws: ToolOutputError.self, "exit 21's words are not a session, and are read only after the exit status") { try ISCSISessionListParser.parse(try Self.fixture("iscsiadm-session-none.txt")) }
    }

    @Test func sessionDetailsWithTheirDisks() throws {
        let details = try ISCSISessionDetailParser.parse(try Self.fixture("iscsiadm-session-P3.txt"))
        #expect(details.count == 2)
        let first = try #require(details.first { $0.portal == "10.99.2.5:3260" })
        #expect(first.target == "iqn.2026-11.lab.san:vmstore" && first.sid == 1)
        #expect(first.initiatorName == "iqn.2026-11.storagekit.sktk:hv2" && first.localAddress == "10.99.2.12")
        #expect(first.connectionState == "LOGGED IN" && first.sessionState == "LOGGED_IN")
        #expect(first.recoveryTimeout == 120, "open-iscsi's default; storagekit's records set 15")
        #expect(first.disks == [.init(lun: 1, device: "sda", state: "running"), .init(lun: 2, device: "sdd", state: "running")])
        #expect(details.flatMap(\.disks).count == 4)
    }

    @Test func multipathMapsHaveTheAliasesAndOnePathPerPortal() throws {
        let spec = try Self.spec()
        let target = try #require(spec.iscsi?.targets.first)
        let maps = try MultipathListParser.parse(try Self.fixture("multipath-ll.txt"))
        #expect(maps.count == 2)
        for lun in target.luns {
            let map = try #require(maps.first { $0.wwid == spec.identity(of: target, lun).wwid })
            #expect(map.alias == spec.multipathAlias(of: target, lun))
            #expect(map.vendorProduct == "IET,VIRTUAL-DISK")
            #expect(map.paths.count == spec.portals(of: target).count && map.paths.allSatisfy { $0.state == "active ready running" })
        }
    }

    @Test func findmntOfNFSMountsMatchesTheSpecMount() throws {
        let spec = try Self.spec()
        let hv2 = try #require(spec.host(named: "hv2"))
        let mount = try #require(spec.sharedMounts(of: hv2).first)
        for name in ["findmnt-nfs3.json", "findmnt-nfs41.json"] {
            let mounted = try #require(try FindmntParser.parse(try Self.fixture(name)).first)
            #expect(mounted.source == "10.99.1.9:/srv/vmstore")
            #expect(SharedMounter.matches(mounted, mount), "\(name): \(mounted.fstype)")
        }
        #expect(try FindmntParser.parse(try Self.fixture("findmnt-not-a-mountpoint.json")).isEmpty)
        #expect(try Self.exit("findmnt-not-a-mountpoint.json") == 1)
    }
}
