import Foundation
import StorageTestSupport
import Testing
@testable import StorageFacts

/// `rpcinfo -p` and `showmount -e` as they answered from hv1 and hv3 in the lab of
/// examples/lab.yaml (rpcbind + nfs-ganesha 4.3 with pinned ports; then ganesha stopped).
@Suite struct NFSToolParserTests {
    static func fixture(_ path: String) throws -> String {
        try TestFixtures.text(path)
    }

    @Test func rpcinfoShowsEveryPinnedPort() throws {
        let rows = try RpcinfoParser.parse(Self.fixture("rpcinfo/ganesha-pinned-ports.txt"))
        #expect(rows.count == 20)
        #expect(RpcinfoParser.ports(of: "mountd", in: rows) == [892])
        #expect(RpcinfoParser.ports(of: "nlockmgr", in: rows, proto: "udp") == [32803])
        #expect(RpcinfoParser.ports(of: "rquotad", in: rows) == [875])
        #expect(RpcinfoParser.ports(of: "nfs", in: rows) == [2049])
        #expect(Set(rows.filter { $0.service == "mountd" }.map(\.version)) == [1, 3])
        #expect(rows.first == RPCRegistration(program: 100000, version: 4, protocol: "tcp", port: 111, service: "portmapper"))
    }

    @Test func rpcinfoWithOnlyRpcbindHasNoMountd() throws {
        let rows = try RpcinfoParser.parse(Self.fixture("rpcinfo/rpcbind-only.txt"))
        #expect(rows.count == 6)
        #expect(RpcinfoParser.ports(of: "mountd", in: rows).isEmpty)
    }

    @Test func rpcinfoGarbageNamesTheLine() {
        #expect(throws: ToolOutputError(tool: "rpcinfo -p", line: 2, text: "rpcinfo: can't contact portmapper")) {
            try RpcinfoParser.parse("   program vers proto   port  service\nrpcinfo: can't contact portmapper\n")
        }
    }

    @Test func showmountListsTheExportToAClientAndNothingToOthers() throws {
        #expect(try ShowmountParser.parse(Self.fixture("showmount/ganesha-to-a-client.txt"))
            == [ExportListing(path: "/srv/vmstore", clients: ["10.99.1.11/32", "10.99.1.12/32"])])
        #expect(try ShowmountParser.parse(Self.fixture("showmount/ganesha-to-a-non-client.txt")) == [])
    }

    @Test func showmountGarbageNamesTheLine() {
        #expect(throws: ToolOutputError(tool: "showmount -e", line: 1, text: "clnt_create: RPC: Program not registered")) {
            try ShowmountParser.parse("clnt_create: RPC: Program not registered\n")
        }
    }
}
