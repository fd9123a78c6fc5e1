import Foundation
import StorageTestSupport
import Testing
@testable import StorageFacts

/// `rpcinfo -p 10.97.5.9` from a client namespace, against rpcbind 1.2.6 alone and then with
/// nfs-ganesha 4.3 pinned to NFS 2049, MNT 892, NLM 32803, Rquota 875 (same bytes as the
/// captures NFSToolParserTests reads; these tests cover the per-protocol and per-version details).
@Suite struct RpcinfoParserTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("rpcinfo/\(name)")
    }

    @Test func ganeshaRegistersEveryPinnedPortOverTCPAndUDP() throws {
        let rows = try RpcinfoParser.parse(Self.fixture("ganesha-pinned-ports.txt"))
        for proto in ["tcp", "udp"] {
            #expect(RpcinfoParser.ports(of: "mountd", in: rows, proto: proto) == [892])
            #expect(RpcinfoParser.ports(of: "nlockmgr", in: rows, proto: proto) == [32803])
            #expect(RpcinfoParser.ports(of: "rquotad", in: rows, proto: proto) == [875])
            #expect(RpcinfoParser.ports(of: "nfs", in: rows, proto: proto) == [2049])
            #expect(RpcinfoParser.ports(of: "portmapper", in: rows, proto: proto) == [111])
        }
        #expect(RpcinfoParser.ports(of: "status", in: rows).isEmpty, "ganesha does not register statd")
        #expect(Set(rows.filter { $0.service == "nfs" }.map(\.version)) == [3, 4])
        #expect(Set(rows.filter { $0.service == "rquotad" }.map(\.version)) == [1, 2])
        #expect(rows.filter { $0.service == "nlockmgr" }.map(\.program) == [100021, 100021])
        #expect(rows.last == RPCRegistration(program: 100011, version: 2, protocol: "tcp", port: 875, service: "rquotad"))
        #expect(rows.allSatisfy { $0.service != nil })
    }

    @Test func rpcbindAloneListsOnlyPortmapper() throws {
        let rows = try RpcinfoParser.parse(Self.fixture("rpcbind-only.txt"))
        #expect(Set(rows.compactMap(\.service)) == ["portmapper"])
        #expect(rows.map(\.version) == [4, 3, 2, 4, 3, 2])
        #expect(RpcinfoParser.ports(of: "nfs", in: rows).isEmpty)
    }

    @Test func aProgramWithoutANameHasNoService() throws {
        let output = "   program vers proto   port  service\n    100000    4   tcp    111  portmapper\n    400123    1   tcp  40001\n"
        let rows = try RpcinfoParser.parse(output)
        #expect(rows[1] == RPCRegistration(program: 400123, version: 1, protocol: "tcp", port: 40001, service: nil))
    }

    @Test func aTruncatedRowNamesItsLine() {
        let output = "   program vers proto   port  service\n    100000    4   tcp    111  portmapper\n    100005    1   udp\n"
        #expect(throws: ToolOutputError(tool: "rpcinfo -p", line: 3, text: "    100005    1   udp")) { try RpcinfoParser.parse(output) }
    }

    @Test func anErrorMessageIsNotATable() {
        let text = "rpcinfo: can't contact portmapper: RPC: Remote system error - Connection refused"
        let error = ToolOutputError(tool: "rpcinfo -p", line: 1, text: text)
        #expect(throws: error) { try RpcinfoParser.parse(text + "\n") }
        #expect(error.description.contains("line 1"))
    }
}
