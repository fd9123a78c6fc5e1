import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing

/// Every rendered file of every example and variant spec, byte for byte, against
/// Tests/StorageRenderTests/Golden/<spec>/<host>/<path>. Regenerate after a deliberate change
/// with `STORAGEKIT_UPDATE_GOLDEN=1 swift test --filter GoldenFileTests` and review the diff.
@Suite struct GoldenFileTests {
    static let update = ProcessInfo.processInfo.environment["STORAGEKIT_UPDATE_GOLDEN"] == "1"

    @Test(arguments: GoldenCase.all)
    func renderedFilesMatchGolden(_ golden: GoldenCase) throws {
        let directory = PackagePaths.golden.appendingPathComponent(golden.name)
        var expectedPaths = Set<String>()
        for (host, files) in try golden.render() {
            for file in files {
                let relative = "\(host)\(file.path)"
                expectedPaths.insert(relative)
                let url = directory.appendingPathComponent(relative)
                if Self.update {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try file.content.write(to: url, atomically: true, encoding: .utf8)
                }
                let expected = try? String(contentsOf: url, encoding: .utf8)
                #expect(expected == file.content, "\(golden.name)/\(relative) differs from its golden file")
            }
        }
        // No stale golden file for a file that is no longer rendered.
        let onDisk = Set(files(under: directory))
        #expect(onDisk == expectedPaths, "golden files of \(golden.name) do not match the rendered set")
    }

    @Test(arguments: GoldenCase.all)
    func renderingIsDeterministic(_ golden: GoldenCase) throws {
        let first = try golden.render()
        let second = try golden.render()
        #expect(first.map(\.files) == second.map(\.files))
    }

    @Test func everyTemplateIsCoveredByAGoldenFile() throws {
        let rendered = try GoldenCase.all.flatMap { try $0.render().flatMap(\.files) }.map(\.path)
        let pathFor: [TemplateName: (String) -> Bool] = [
            .exports: { $0 == "/etc/exports" },
            .nfsConf: { $0 == "/etc/nfs.conf" },
            .sysconfigNFS: { $0 == "/etc/sysconfig/nfs" },
            .lockdModprobe: { $0 == "/etc/modprobe.d/lockd.conf" },
            .ganeshaConf: { $0 == "/etc/ganesha/ganesha.conf" },
            .tgtTargets: { $0.hasPrefix("/etc/tgt/conf.d/") },
            .initiatorName: { $0 == "/etc/iscsi/initiatorname.iscsi" },
            .multipathConf: { $0 == "/etc/multipath.conf" },
            .multipathWWIDs: { $0 == "/etc/multipath/wwids" },
            .mountUnit: { $0.hasSuffix(".mount") },
            .fstabBlock: { $0 == "/etc/fstab" },
            .iptablesRules: { $0 == "/etc/iptables/rules.v4" || $0 == "/etc/sysconfig/iptables" },
            .storagekitChain: { $0 == "/etc/iptables/rules.v4" || $0 == "/etc/sysconfig/iptables" },
            // Not a file: checked against rules.v4 by chainInputIsTheChainOfTheWholeFile.
            .iptablesChain: { _ in true },
            .nftablesTable: { $0 == "/etc/storagekit/firewall.nft" },
            .firewalldPolicy: { $0 == "/etc/firewalld/policies/storagekit.xml" },
            .drbdGlobalCommon: { $0 == "/etc/drbd.d/global_common.conf" },
            .drbdResource: { $0.hasPrefix("/etc/drbd.d/") && $0.hasSuffix(".res") },
            .drbdModprobe: { $0 == "/etc/modprobe.d/drbd.conf" },
            .xendRelocation: { $0 == "/etc/xen/xend-config.sxp" },
            .header: { _ in true },
        ]
        for template in TemplateName.allCases {
            let matches = try #require(pathFor[template], "no coverage rule for \(template)")
            #expect(rendered.contains(where: matches), "no golden spec renders templates/\(template.fileName)")
        }
    }

    @Test func chainInputIsTheChainOfTheWholeFile() throws {
        let spec = try SpecLoader.load(yaml: String(contentsOf: TestSpecs.packageRoot.appendingPathComponent("examples/lab.yaml"), encoding: .utf8)).spec
        for host in spec.hosts.map(\.name) {
            let whole = try #require(try HostRenderer.render(spec, host: host, secrets: TestSpecs.secrets).first { $0.path == "/etc/iptables/rules.v4" }).content
            let input = try #require(FirewallFiles.chainRestoreInput(spec, host: host))
            let chainLines = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("-A STORAGEKIT") } }
            #expect(!chainLines(input).isEmpty)
            #expect(chainLines(input) == chainLines(whole))
            #expect(!input.contains(":INPUT") && !input.contains("-A INPUT"), "the --noflush input must leave INPUT alone")
        }
    }

    private func files(under directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { path in
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }
    }
}
