import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing

/// Every host's nftables table, for every example spec, passes `nft -c` and loads for real in
/// a fresh network namespace, twice (the file's first lines make a reload replace the table),
/// and nft then lists exactly the table storagekit compares against. Nothing on this machine
/// changes: the namespace dies with the command.
@Suite(.needsRoot("the tables are loaded into a private network namespace (unshare -n)")) struct NFTablesRealParserTests {
    @Test func everyTableParsesLoadsTwiceAndListsAsRendered() async throws {
        let directory = try TemporaryDirectory()
        var checked = 0
        for url in RealTool.specURLs {
            var spec = try RealTool.load(url)
            spec.firewall.backend = .nftables
            for host in spec.hosts {
                guard let ruleset = NFTablesFiles.ruleset(spec, host: host.name) else { continue }
                let path = try directory.write("\(url.deletingPathExtension().lastPathComponent)-\(host.name).nft", ruleset)
                let result = try await RealTool.run(["unshare", "-n", "sh", "-c", "nft -c -f \"$1\" && nft -f \"$1\" && nft -f \"$1\" && nft list table inet storagekit", "sh", path])
                #expect(result.exitCode == 0, "\(url.lastPathComponent)/\(host.name): \(result.stderr)")
                #expect(result.stdout == NFTablesFiles.listing(of: ruleset), "\(url.lastPathComponent)/\(host.name): nft lists\n\(result.stdout)")
                checked += 1
            }
        }
        #expect(checked >= 10, "tables checked: \(checked)")
    }

    @Test func aBrokenTableIsRejectedByNftCheck() async throws {
        let directory = try TemporaryDirectory()
        let bad = try directory.write("bad.nft", "table inet storagekit {\n\tchain input {\n\t\ttcp dport 70000 accept\n\t}\n}\n")
        let result = try await RealTool.run(["unshare", "-n", "nft", "-c", "-f", bad])
        #expect(result.exitCode != 0 && result.stderr.contains("70000"), "\(result.stderr)")
    }
}
