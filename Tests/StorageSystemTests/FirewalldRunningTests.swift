import Foundation
import Testing
@testable import StorageSystem

/// firewalld is seen running by its own nftables table, in `nft list tables` as captured in a
/// lab host before and after firewalld 1.3 started.
@Suite struct FirewalldRunningTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nftables/\(name)"), encoding: .utf8)
    }

    @Test func itsOwnTableMeansItRuns() throws {
        #expect(FirewalldApplier.hasOwnTable(try Self.fixture("nft-list-tables-with-firewalld.txt")))
        #expect(!FirewalldApplier.hasOwnTable(try Self.fixture("nft-list-tables-without-firewalld.txt")))
        #expect(!FirewalldApplier.hasOwnTable("table inet firewalld_old\n"))
    }
}
