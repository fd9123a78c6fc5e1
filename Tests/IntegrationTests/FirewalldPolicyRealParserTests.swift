import Foundation
import StorageModel
import StorageRender
import StorageSystem
import StorageTestSupport
import Testing

/// Every host's firewalld policy, for every example spec, passes firewalld's own offline
/// checker with no warning (a warning is a rule firewalld would skip), in a private mount
/// namespace whose /etc/firewalld holds only that policy: nothing on this machine changes.
@Suite(.needsRoot("firewalld's checker runs in a private mount namespace (unshare -m)")) struct FirewalldPolicyRealParserTests {
    static let script = """
        mount -t tmpfs tmpfs /etc/firewalld && mkdir /etc/firewalld/policies && cp "$1" /etc/firewalld/firewalld.conf \\
        && cp "$2" /etc/firewalld/policies/storagekit.xml && exec firewall-offline-cmd --check-config
        """

    func check(_ policy: String, conf: String) async throws -> CommandResult {
        try await RealTool.run(["unshare", "-m", "--propagation", "private", "sh", "-c", Self.script, "sh", conf, policy], timeout: .seconds(60))
    }

    @Test func everyPolicyPassesFirewalldsOwnCheckerWithoutAWarning() async throws {
        let directory = try TemporaryDirectory()
        let conf = try directory.write("firewalld.conf", "DefaultZone=public\nFirewallBackend=nftables\n")
        var checked = 0
        for url in RealTool.specURLs {
            var spec = try RealTool.load(url)
            spec.firewall.backend = .firewalld
            for host in spec.hosts {
                guard let policy = FirewalldFiles.policyXML(spec, host: host.name) else { continue }
                let path = try directory.write("\(url.deletingPathExtension().lastPathComponent)-\(host.name).xml", policy)
                let result = try await check(path, conf: conf)
                #expect(result.exitCode == 0 && !(result.stdout + result.stderr).contains("WARNING"), "\(url.lastPathComponent)/\(host.name): \(result.stdout)\(result.stderr)")
                checked += 1
            }
        }
        #expect(checked >= 10, "policies checked: \(checked)")
    }

    @Test func aBrokenPolicyIsCaught() async throws {
        let directory = try TemporaryDirectory()
        let conf = try directory.write("firewalld.conf", "DefaultZone=public\nFirewallBackend=nftables\n")
        let badPort = try directory.write("port.xml", "<policy target=\"CONTINUE\"><rule><port port=\"70000\" protocol=\"tcp\"/><accept/></rule></policy>\n")
        let warned = try await check(badPort, conf: conf)
        #expect((warned.stdout + warned.stderr).contains("WARNING: INVALID_PORT"), "\(warned.stdout)\(warned.stderr)")
        let badXML = try directory.write("xml.xml", "<policy target=\"CONTINUE\"><rule>\n")
        let failed = try await check(badXML, conf: conf)
        #expect(failed.exitCode != 0 && (failed.stdout + failed.stderr).contains("INVALID_POLICY"), "\(failed.stdout)\(failed.stderr)")
    }
}
