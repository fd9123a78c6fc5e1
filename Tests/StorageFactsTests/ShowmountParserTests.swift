import Foundation
import StorageTestSupport
import Testing
@testable import StorageFacts

/// `showmount -e 10.97.5.9` against nfs-ganesha 4.3: an export with two CLIENT blocks
/// (10.97.5.11, 10.97.5.12), then the same plus an export with no CLIENT block, asked from a
/// client (10.97.5.11) and from a non-client (10.97.5.20).
@Suite struct ShowmountParserTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("showmount/\(name)")
    }

    @Test func anExportWithTwoClientBlocksListsBoth() throws {
        #expect(try ShowmountParser.parse(Self.fixture("ganesha-two-clients.txt"))
            == [ExportListing(path: "/srv/vmstore", clients: ["10.97.5.11/32", "10.97.5.12/32"])])
    }

    @Test func anExportOpenToEveryoneSurvivesColumnPadding() throws {
        // showmount pads paths to the longest one: "/srv/public  (everyone)".
        #expect(try ShowmountParser.parse(Self.fixture("ganesha-everyone-and-two-clients.txt")) == [
            ExportListing(path: "/srv/vmstore", clients: ["10.97.5.11/32", "10.97.5.12/32"]),
            ExportListing(path: "/srv/public", clients: ["(everyone)"]),
        ])
    }

    @Test func aNonClientSeesOnlyTheOpenExport() throws {
        #expect(try ShowmountParser.parse(Self.fixture("ganesha-everyone-to-a-non-client.txt"))
            == [ExportListing(path: "/srv/public", clients: ["(everyone)"])])
    }

    @Test func aPathWithoutClientsHasAnEmptyList() throws {
        #expect(try ShowmountParser.parse("Export list for 10.97.5.9:\n/srv/vmstore\n") == [ExportListing(path: "/srv/vmstore", clients: [])])
    }

    @Test func aRowThatIsNotAPathNamesItsLine() {
        let output = "Export list for 10.97.5.9:\n/srv/vmstore 10.97.5.11/32\nrpc mount export: RPC: Timed out\n"
        #expect(throws: ToolOutputError(tool: "showmount -e", line: 3, text: "rpc mount export: RPC: Timed out")) { try ShowmountParser.parse(output) }
    }

    @Test func anErrorBeforeTheHeaderIsLineOne() {
        let error = ToolOutputError(tool: "showmount -e", line: 1, text: "clnt_create: RPC: Unable to receive")
        #expect(throws: error) { try ShowmountParser.parse("clnt_create: RPC: Unable to receive\n") }
        #expect(error.description.contains("line 1"))
    }
}
