import Foundation
import StorageTestSupport
import Testing

/// `multipath -t` prints the configuration it would use, merged with its built-in defaults; it
/// runs with the rendered file placed at /etc/multipath.conf inside an overlay of /etc in a
/// private mount namespace.
@Suite(.needsRoot("multipath runs in a private mount namespace (unshare -m)")) struct MultipathRealParserTests {
    static let script = """
        mount -t overlay overlay -o lowerdir=/etc,upperdir="$1/upper",workdir="$1/work" /etc &&
        cp "$2" /etc/multipath.conf && mkdir -p /etc/multipath && cp "$3" /etc/multipath/wwids && multipath -t
        """

    func multipathT(_ conf: String, wwids: String) async throws -> (stdout: String, stderr: String, exitCode: Int32?) {
        let scratch = try TemporaryDirectory()
        for sub in ["upper", "work"] { try FileManager.default.createDirectory(atPath: "\(scratch.path)/\(sub)", withIntermediateDirectories: true) }
        let result = try await RealTool.inMountNamespace(Self.script, [scratch.path, conf, wwids])
        return (result.stdout, result.stderr, result.exitCode)
    }

    @Test func everyRenderedMultipathConfIsAcceptedWithOurAliasesAndWWIDs() async throws {
        let directory = try TemporaryDirectory()
        let files = try RealTool.renderEverySpec(directory)
        let confs = files.filter { $0.file.path == "/etc/multipath.conf" }
        #expect(confs.count >= 4)
        for conf in confs {
            let wwids = try #require(files.first { $0.spec == conf.spec && $0.host == conf.host && $0.file.path == "/etc/multipath/wwids" })
            let result = try await multipathT(conf.path, wwids: wwids.path)
            #expect(result.exitCode == 0, "\(conf.spec)/\(conf.host): \(result.stderr)")
            #expect(result.stderr.isEmpty, "multipath complained about \(conf.spec)/\(conf.host): \(result.stderr)")
            let spec = try RealTool.load(RealTool.specURLs.first { $0.lastPathComponent == "\(conf.spec).yaml" }!)
            let host = spec.host(named: conf.host)!
            for target in spec.targets(reachableBy: host) {
                for lun in target.luns {
                    #expect(result.stdout.contains("wwid \"\(spec.identity(of: target, lun).wwid)\""))
                    #expect(result.stdout.contains("alias \"\(spec.multipathAlias(of: target, lun))\""))
                }
            }
            #expect(result.stdout.contains("find_multipaths \"strict\""))
            #expect(result.stdout.contains("user_friendly_names \"no\""))
        }
    }

    @Test func anUnknownKeywordIsReported() async throws {
        let directory = try TemporaryDirectory()
        let conf = try directory.write("multipath.conf", "defaults {\n\tuser_friendly_names no\n\tno_such_keyword 1\n}\n")
        let wwids = try directory.write("wwids", "# Multipath wwids, Version : 1.0\n")
        let result = try await multipathT(conf, wwids: wwids)
        #expect((result.stderr + result.stdout).contains("invalid keyword"))
    }
}
