import Foundation
import StorageSystem
import StorageTestSupport
import Testing

/// `exportfs -ra` on every rendered /etc/exports, in a private mount namespace: the file is bound
/// over /etc/exports (inside an overlay of /etc) and a scratch directory over /var/lib/nfs, so the
/// machine's own export table is never touched. exportfs stats each export directory, so the
/// exported path (first field) points at a temporary directory; every option is kept as rendered.
@Suite(.needsRoot("exportfs runs in a private mount namespace (unshare -m)")) struct ExportsRealParserTests {
    static let script = """
        mount -t overlay overlay -o lowerdir=/etc,upperdir="$1/upper",workdir="$1/work" /etc &&
        cp "$1/exports" /etc/exports && mount --bind "$1/varlib" /var/lib/nfs && exportfs -ra && exportfs -v
        """

    func exportfs(_ rendered: String, in directory: TemporaryDirectory) async throws -> (result: CommandResult, lines: Int) {
        for sub in ["upper", "work", "varlib", "export"] {
            try FileManager.default.createDirectory(atPath: "\(directory.path)/\(sub)", withIntermediateDirectories: true)
        }
        var count = 0
        let rewritten = rendered.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard !line.hasPrefix("#"), let space = line.firstIndex(of: " ") else { return String(line) }
            count += 1
            return "\(directory.path)/export" + line[space...]
        }.joined(separator: "\n")
        _ = try directory.write("exports", rewritten)
        let result = try await RealTool.inMountNamespace(Self.script, [directory.path])
        return (result, count)
    }

    @Test func everyRenderedExportsFileIsAcceptedByExportfs() async throws {
        let directory = try TemporaryDirectory()
        let files = try RealTool.renderEverySpec(directory).filter { $0.file.path == "/etc/exports" }
        #expect(files.count >= 3)
        for file in files {
            let scratch = try TemporaryDirectory()
            let (result, lines) = try await exportfs(file.file.content, in: scratch)
            #expect(lines >= 1)
            #expect(result.exitCode == 0 && result.stderr.isEmpty, "\(file.spec)/\(file.host): \(result.stderr)")
            // What the spec asked for is what exportfs applied (one example squashes root on purpose).
            let squash = file.file.content.contains("no_root_squash") ? "no_root_squash" : ",root_squash"
            #expect(result.stdout.contains(squash), "exportfs -v shows what it applied:\n\(result.stdout)")
        }
    }

    @Test func anUnknownOptionIsRejected() async throws {
        let scratch = try TemporaryDirectory()
        let (result, _) = try await exportfs("/srv/vmstore 10.20.0.0/24(rw,no_root_sqash)\n", in: scratch)
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("unknown keyword"))
    }
}
