import Foundation
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// firewalld is seen running by its own nftables table, in `nft list tables` as captured in a
/// lab host before and after firewalld 1.3 started.
@Suite struct FirewalldRunningTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("nftables/\(name)")
    }

    @Test func itsOwnTableMeansItRuns() throws {
        #expect(FirewalldApplier.hasOwnTable(try Self.fixture("nft-list-tables-with-firewalld.txt")))
        #expect(!FirewalldApplier.hasOwnTable(try Self.fixture("nft-list-tables-without-firewalld.txt")))
        #expect(!FirewalldApplier.hasOwnTable("table inet firewalld_old\n"))
    }
}

/// firewalld older than 0.9 has no policies: the plan says so instead of writing a file it ignores.
@Suite struct FirewalldReleaseTests {
    @Test func releasesAreReadAndPoliciesNeedZeroNine() {
        #expect(FirewalldApplier.parseRelease("1.3.3\n").map { [$0.major, $0.minor] } == [1, 3])
        #expect(FirewalldApplier.parseRelease("0.6.3").map { [$0.major, $0.minor] } == [0, 6])
        #expect(FirewalldApplier.parseRelease("firewalld") == nil)
        #expect(FirewalldApplier.hasPolicies((1, 3)) && FirewalldApplier.hasPolicies((0, 9)))
        #expect(!FirewalldApplier.hasPolicies((0, 6)))
    }
}

@Suite struct OldFirewalldPlanTests {
    /// A host where firewalld 0.6 (RHEL 7) runs: its own table is there, and `--version` is old.
    static func oldFirewalldHost(_ host: String) -> ScriptedTransport {
        ScriptedTransport(host: host) { command in
            let stdout = switch command.executable {
            case "nft": "table ip filter\ntable inet firewalld\n"
            case "firewall-offline-cmd": "0.6.3\n"
            default: ""
            }
            return CommandResult(command: command, exitCode: 0, stdout: stdout, stderr: "")
        }
    }

    @Test func thePlanRefusesNamingTheReleaseAndTheWayOut() async throws {
        let spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml"))
        let nfs = try #require(spec.nfs)
        let server = try #require(spec.host(named: nfs.server))
        let transport = Self.oldFirewalldHost(server.name)
        let context = HostContext(host: server, osFamily: spec.osFamily(of: server), transport: transport, services: SystemdServiceManager(transport: transport))
        do {
            _ = try await HostPlanner(spec: spec, context: context, secrets: [:], parts: [.firewall]).plan()
            Issue.record("planned a policy for firewalld 0.6")
        } catch {
            #expect(error.message.contains("firewalld 0.6 runs there") && error.message.contains("came with 0.9"), "\(error.message)")
            #expect(error.message.contains("firewall-cmd --permanent --add-port"), "\(error.message)")
        }
    }
}
