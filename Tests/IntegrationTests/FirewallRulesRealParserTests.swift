import Foundation
import StorageRender
import StorageTestSupport
import Testing

/// Every rendered iptables-restore file passes `iptables-restore --test` and also loads for real
/// into a fresh network namespace (`--test` misses a jump to a chain that does not exist).
/// Nothing on this machine changes: the namespace dies with the command.
@Suite(.needsRoot("the rules are loaded into a private network namespace (unshare -n)")) struct FirewallRulesRealParserTests {
    @Test func everyRenderedRulesFileIsAcceptedByIptablesRestore() async throws {
        let directory = try TemporaryDirectory()
        let rules = try RealTool.renderEverySpec(directory).filter {
            $0.file.path == "/etc/iptables/rules.v4" || $0.file.path == "/etc/sysconfig/iptables"
        }
        #expect(rules.count >= 10)
        for rule in rules {
            let test = try await RealTool.run(["unshare", "-n", "iptables-restore", "--test", rule.path])
            #expect(test.exitCode == 0, "\(rule.spec)/\(rule.host)\(rule.file.path): \(test.stderr)")
            let load = try await RealTool.run(["unshare", "-n", "iptables-restore", rule.path])
            #expect(load.exitCode == 0, "\(rule.spec)/\(rule.host)\(rule.file.path): \(load.stderr)")
        }
    }

    @Test func rulesLoadedInANamespaceAllowTheStorageNetworkAndDropTheRest() async throws {
        let directory = try TemporaryDirectory()
        let files = try RealTool.renderAll(RealTool.load(RealTool.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml")), into: directory.path)
        let nfs1 = try #require(files.first { $0.host == "nfs1" && $0.file.path == "/etc/sysconfig/iptables" })
        let result = try await RealTool.run(["unshare", "-n", "sh", "-c", "iptables-restore \"$1\" && iptables -S STORAGEKIT", "sh", nfs1.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let listed = result.stdout
        for port in ["111", "2049", "892", "662", "875", "32803", "32769"] {
            #expect(listed.contains("-s 10.20.0.0/24 -p tcp -m tcp --dport \(port)") || listed.contains("-s 10.20.0.0/24 -p udp -m udp --dport \(port)"),
                "port \(port) is not opened to the storage network:\n\(listed)")
        }
        #expect(listed.contains("--dport 2049 -m comment --comment \"nfs: not from the storage network\" -j DROP"))
        #expect(!listed.contains("--dport 22 "), "ssh must be left alone")
    }

    @Test func aBrokenRulesFileIsRejected() async throws {
        let directory = try TemporaryDirectory()
        let badPort = try directory.write("port", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n")
        let test = try await RealTool.run(["unshare", "-n", "iptables-restore", "--test", badPort])
        #expect(test.exitCode != 0 && test.stderr.contains("invalid port"))
        let badChain = try directory.write("chain", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 2049 -j ACCEPTT\nCOMMIT\n")
        let load = try await RealTool.run(["unshare", "-n", "iptables-restore", badChain])
        #expect(load.exitCode != 0 && load.stderr.contains("does not exist"))
    }
}
