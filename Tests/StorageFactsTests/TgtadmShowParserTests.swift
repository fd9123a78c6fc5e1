import Foundation
import StorageTestSupport
import Testing
@testable import StorageFacts

/// On output captured from tgtd 1.0.85 in a lab namespace, with one initiator (libiscsi's
/// iscsi-perf) logged in to target 1.
@Suite struct TgtadmShowParserTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("tgtadm/\(name)")
    }

    @Test func twoTargetsWithLUNsSessionsAccountsAndACLs() throws {
        let targets = try TgtadmShowParser.parse(Self.fixture("show-target-two-targets-one-session.txt"))
        #expect(targets.map(\.tid) == [1, 2])
        let vmstore = targets[0]
        #expect(vmstore.iqn == "iqn.2026-11.lab.san1:vmstore")
        #expect(vmstore.state == "ready")
        #expect(vmstore.sessions == [.init(nexus: 1, initiator: "iqn.2026-11.storagekit.lab:hv1", addresses: ["10.99.8.11"])])
        #expect(vmstore.luns.map(\.lun) == [1, 2], "LUN 0 is tgtd's controller, not ours")
        #expect(vmstore.luns[0] == .init(lun: 1, type: "disk", scsiID: "656c4adbded4b856989736f6a0c2c86a", serial: "SKFE51B4EC87CC6A",
                                         sizeMB: 67, blockSize: 512, readonly: false, backingStorePath: "/tmp/skf/lun1.img"))
        // A LUN left at tgtd's defaults: the identity every tgtd repeats.
        #expect(vmstore.luns[1].scsiID == "IET     00010002")
        #expect(vmstore.luns[1].serial == "beaf12")
        #expect(vmstore.accounts.isEmpty)
        #expect(vmstore.acl == ["10.99.8.11", "iqn.2026-11.storagekit.lab:hv1"])

        let empty = targets[1]
        #expect(empty.iqn == "iqn.2026-11.lab.san1:empty")
        #expect(empty.sessions.isEmpty && empty.luns.isEmpty)
        #expect(empty.accounts == ["vmuser"])
        #expect(empty.acl == ["ALL"])
    }

    @Test func noTargetsIsAnEmptyList() throws {
        #expect(try TgtadmShowParser.parse(Self.fixture("show-target-empty.txt")) == [])
    }

    @Test func unexpectedTextIsAnErrorWithItsLine() {
        #expect(throws: ToolOutputError(tool: "tgtadm --op show", line: 1, text: "tgtadm: can't send the request to the tgt daemon, Transport endpoint is not connected")) {
            try TgtadmShowParser.parse("tgtadm: can't send the request to the tgt daemon, Transport endpoint is not connected\n")
        }
    }

    @Test func everyTruncationOfRealOutputParsesOrFailsCleanly() throws {
        let lines = try Self.fixture("show-target-two-targets-one-session.txt").split(separator: "\n", omittingEmptySubsequences: false)
        for count in 0...lines.count {
            let prefix = lines.prefix(count).joined(separator: "\n")
            let targets = try? TgtadmShowParser.parse(prefix)
            if count > 0 { #expect(targets != nil, "a prefix of \(count) lines should parse") }
        }
    }
}
