import Foundation
import StorageModel
import StorageTestSupport
import Testing

/// `drbdadm -c FILE dump` reads the rendered configuration the way each node will: drbdadm picks
/// the `on <host>` section whose name is `uname -n`, so every node's dump runs under
/// `unshare --uts` with that hostname. FILE is a drbd.conf like drbd-utils' own, including the
/// rendered global_common.conf and *.res. `-d` with no terminal skips drbdadm's check that the
/// node's address is on this machine (the parse is what is tested; no kernel module is needed).
/// Both parsers drbd-utils ships run: its own (DRBD 9) and the 8.4 one (`/lib/drbd/drbdadm-84`).
@Suite(.needsRoot("drbdadm reads each node's section under its own hostname (unshare --uts)")) struct DRBDConfigRealParserTests {
    static let parsers = ["drbdadm", "/lib/drbd/drbdadm-84"]

    /// The dump of `config` as host `node` sees it, blanks collapsed so lines compare as words.
    static func dump(_ config: String, as node: String, parser: String) async throws -> (exitCode: Int32?, dump: String, stderr: String) {
        let result = try await RealTool.run(
            ["unshare", "--uts", "sh", "-c", "hostname \"$1\" && exec \"$2\" -d -c \"$3\" dump", "sh", node, parser, config])
        let collapsed = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: "\n")
        return (result.exitCode, collapsed, result.stderr)
    }

    /// A drbd.conf that includes what was rendered for `host` under `root`.
    static func wrapper(_ directory: TemporaryDirectory, root: String, host: String) throws -> String {
        try directory.write("\(host).drbd.conf", """
            include "\(root)/\(host)/etc/drbd.d/global_common.conf";
            include "\(root)/\(host)/etc/drbd.d/*.res";

            """)
    }

    @Test(arguments: parsers)
    func everyNodeOfEveryResourceReadsItsOwnSection(_ parser: String) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: parser) || parser == "drbdadm", "\(parser) is missing: apt-get install drbd-utils")
        let directory = try TemporaryDirectory()
        var checked = 0
        for url in RealTool.specURLs {
            let spec = try RealTool.load(url)
            guard let drbd = spec.drbd else { continue }
            let root = "\(directory.path)/\(url.deletingPathExtension().lastPathComponent)"
            _ = try RealTool.renderAll(spec, into: root)
            for resource in drbd.resources {
                for node in resource.hosts {
                    let (exitCode, dump, stderr) = try await Self.dump(try Self.wrapper(directory, root: root, host: node.name), as: node.name, parser: parser)
                    let label = "\(url.lastPathComponent) \(resource.name) on \(node.name) (\(parser))"
                    #expect(exitCode == 0, "\(label): \(stderr)")
                    #expect(dump.contains("# resource \(resource.name) on \(node.name): not ignored"), "\(label):\n\(dump)")
                    for peer in resource.hosts {
                        #expect(dump.contains("on \(peer.name) {"), "\(label): no section for \(peer.name)")
                        #expect(dump.contains("address ipv4 \(spec.drbdAddress(of: peer)!):\(resource.port);"), "\(label):\n\(dump)")
                    }
                    for line in ["device \(resource.device) minor \(resource.minor!);", "disk \(resource.disk);", "meta-disk \(resource.metaDisk);",
                                 "protocol \(resource.protocol.rawValue);", "after-sb-0pri \(resource.afterSb0pri.rawValue);",
                                 "after-sb-1pri \(resource.afterSb1pri.rawValue);", "after-sb-2pri \(resource.afterSb2pri.rawValue);"] {
                        #expect(dump.contains(line), "\(label): drbdadm did not keep `\(line)`:\n\(dump)")
                    }
                    #expect(dump.contains("allow-two-primaries yes;") == resource.allowTwoPrimaries, "\(label)")
                    if let algorithm = resource.verifyAlg { #expect(dump.contains("verify-alg \(algorithm);"), "\(label)") }
                    #expect(dump.contains("usage-count no;"), "\(label): global_common.conf was not read")
                    checked += 1
                }
            }
        }
        #expect(checked >= 2, "no spec renders a DRBD resource")
    }

    @Test func aHostThatIsNotANodeOfTheResourceIgnoresIt() async throws {
        let directory = try TemporaryDirectory()
        let spec = try RealTool.load(RealTool.packageRoot.appendingPathComponent("examples/xen-drbd.yaml"))
        _ = try RealTool.renderAll(spec, into: directory.path)
        let (exitCode, dump, _) = try await Self.dump(try Self.wrapper(directory, root: directory.path, host: "hv1"), as: "elsewhere", parser: "drbdadm")
        #expect(exitCode == 0)
        #expect(dump.contains("# resource r0 on elsewhere: ignored"), "\(dump)")
    }

    @Test(arguments: [
        ("after-sb-0pri discard-zero-changes;", "after-sb-0pri discard-zero-change;", ["drbdadm"]),
        ("allow-two-primaries yes;", "allow-two-primarys yes;", parsers),
        ("    on hv2 {\n        address 10.20.5.32:7900;", "    on hv2 {\n        adress 10.20.5.32:7900;", parsers),
    ])
    func aBrokenResourceFileIsRejected(_ good: String, _ bad: String, _ rejecting: [String]) async throws {
        let directory = try TemporaryDirectory()
        let spec = try RealTool.load(RealTool.packageRoot.appendingPathComponent("examples/xen-drbd.yaml"))
        _ = try RealTool.renderAll(spec, into: directory.path)
        let res = "\(directory.path)/hv1/etc/drbd.d/r0.res"
        let rendered = try String(contentsOfFile: res, encoding: .utf8)
        #expect(rendered.contains(good), "the rendered r0.res no longer has `\(good)`")
        try rendered.replacingOccurrences(of: good, with: bad).write(toFile: res, atomically: true, encoding: .utf8)
        let config = try Self.wrapper(directory, root: directory.path, host: "hv1")
        for parser in rejecting {
            let (exitCode, _, stderr) = try await Self.dump(config, as: "hv1", parser: parser)
            #expect(exitCode != 0, "\(parser) accepted `\(bad)`")
            #expect(stderr.contains("r0.res"), "\(parser) should name the file: \(stderr)")
        }
    }
}
