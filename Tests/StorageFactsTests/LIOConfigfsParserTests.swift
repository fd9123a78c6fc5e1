import Foundation
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageFacts

/// LIO's configfs as the kernel lab's san guest showed it (Tests/Fixtures/lio/README.md).
@Suite struct LIOConfigfsParserTests {
    static func state(_ name: String) throws -> LIOLiveState {
        try LIOConfigfsParser.parse(tree: try TestFixtures.text("lio/configfs-tree-\(name).txt"), values: try TestFixtures.text("lio/configfs-values-\(name).txt"))
    }

    @Test(arguments: ["two-sessions", "targetctl"])
    func theTargetTwoPortalsTwoLUNsAndTwoLoggedInACLsAreRead(_ name: String) throws {
        let state = try Self.state(name)
        #expect(state.iscsiFabric)
        #expect(state.storageObjects.map(\.path).sorted() == ["core/fileio_0/vmstore-1", "core/fileio_1/vmstore-2"])
        let one = try #require(state.storageObjects.first { $0.name == "vmstore-1" })
        #expect(one.dev == "/srv/iscsi/vmstore1.img" && one.size == 134_217_728 && one.enabled && one.plugin == "fileio")
        #expect(one.serial == "SK4C69232CFD49057F3D6BBF26FB3CE9")
        let target = try #require(state.targets.first)
        #expect(target.iqn == "iqn.2026-12.kllio.san:vmstore")
        let tpg = try #require(target.tpgs.first)
        #expect(tpg.tag == 1 && tpg.enabled && tpg.authMethod == "CHAP")
        #expect(tpg.attributes == ["authentication": "1", "generate_node_acls": "0", "demo_mode_write_protect": "1", "cache_dynamic_acls": "0"])
        #expect(Set(tpg.portals) == [Portal(address: "10.94.1.5", port: 3260), Portal(address: "10.94.2.5", port: 3260)])
        #expect(tpg.luns[1]?.pointee == "core/fileio_0/vmstore-1" && tpg.luns[1]?.name == "vmstore-1")
        #expect(tpg.luns[2]?.pointee == "core/fileio_1/vmstore-2")
        #expect(tpg.acls.map(\.initiator).sorted() == ["iqn.2026-11.storagekit.kllio:hv1", "iqn.2026-11.storagekit.kllio:hv2"])
        for acl in tpg.acls {
            #expect(acl.loggedIn && acl.userid == "labuser" && acl.password == "LAB-CHAP-SECRET-REDACTED", "\(acl.initiator)")
            #expect(acl.mappedLUNs.mapValues(\.pointee) == [1: 1, 2: 2], "\(acl.initiator)")
            #expect(acl.mappedLUNs.values.allSatisfy { $0.name != nil })
        }
    }

    @Test func withoutASessionTheACLIsNotLoggedIn() throws {
        let values = try TestFixtures.text("lio/configfs-values-two-sessions.txt").replacingOccurrences(of: "TARG_SESS_STATE_LOGGED_IN", with: "TARG_SESS_STATE_FREE")
        let state = try LIOConfigfsParser.parse(tree: try TestFixtures.text("lio/configfs-tree-two-sessions.txt"), values: values)
        #expect(state.targets.first?.tpgs.first?.acls.allSatisfy { !$0.loggedIn } == true)
    }

    @Test func aFreshLIOHasNothingAndNoFabric() throws {
        let state = try LIOConfigfsParser.parse(tree: "d\t/sys/kernel/config/target/core\t\nd\t/sys/kernel/config/target/core/alua\t\n", values: "")
        #expect(state == LIOLiveState())
        #expect(!state.iscsiFabric)
    }

    @Test func linesThatAreNotTheirsAreSaidNotSkipped() throws {
        #expect(throws: ToolOutputError.self) { try LIOConfigfsParser.parse(tree: "find: '/sys/kernel/config/target': No such file or directory\n", values: "") }
        let tree = try TestFixtures.text("lio/configfs-tree-two-sessions.txt")
        do {
            _ = try LIOConfigfsParser.parse(tree: tree, values: "grep: something else entirely\n")
            Issue.record("a foreign values line should throw")
        } catch {
            #expect(error.code == .unreadableLine && error.line == 1)
        }
    }
}
