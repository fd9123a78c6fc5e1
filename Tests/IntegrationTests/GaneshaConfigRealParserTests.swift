import Foundation
import StorageFacts
import StorageTestSupport
import Testing

/// nfs-ganesha has no check-only mode: it parses its configuration at start-up and logs every
/// problem as `Config File (F:line): …`. It starts here in a fresh network namespace (loopback
/// only, no rpcbind, so it stops by itself once parsing is done), under a deadline. The VFS FSAL
/// stats each export directory, so `Path =` points at temporary directories; the rest is as rendered.
@Suite(.needsRoot("ganesha.nfsd runs in a private network namespace (unshare -n)")) struct GaneshaConfigRealParserTests {
    func parse(_ conf: String) async throws -> String {
        let scratch = try TemporaryDirectory()
        var exports = 0
        let rewritten = conf.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.trimmingCharacters(in: .whitespaces).hasPrefix("Path = ") else { return String(line) }
            exports += 1
            let directory = "\(scratch.path)/export\(exports)"
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return "    Path = \(directory);"
        }.joined(separator: "\n")
        let file = try scratch.write("ganesha.conf", rewritten)
        _ = try await RealTool.run(
            ["timeout", "-s", "KILL", "15", "unshare", "-n", "ganesha.nfsd", "-F", "-f", file, "-L", "\(scratch.path)/ganesha.log",
             "-p", "\(scratch.path)/ganesha.pid", "-N", "NIV_EVENT"], timeout: .seconds(20))
        return (try? String(contentsOfFile: "\(scratch.path)/ganesha.log", encoding: .utf8)) ?? ""
    }

    @Test func everyRenderedGaneshaConfParsesWithoutComplaint() async throws {
        let directory = try TemporaryDirectory()
        let confs = try RealTool.renderEverySpec(directory).filter { $0.file.path == "/etc/ganesha/ganesha.conf" }
        #expect(!confs.isEmpty)
        for conf in confs {
            let log = try await parse(conf.file.content)
            #expect(log.contains("Configuration file successfully parsed"), "\(conf.spec): \(log)")
            let complaints = log.split(separator: "\n").filter { $0.contains("Config File (") }
            #expect(complaints.isEmpty, "\(conf.spec): \(complaints.joined(separator: "\n"))")
            #expect(!log.contains("No export entries found"), "\(conf.spec): ganesha created no export:\n\(log)")
        }
    }

    @Test func aMisspeltKeyIsReported() async throws {
        let log = try await parse("NFS_CORE_PARAM { NFS_Port = 2049; NLM_Prt = 32803; }\n")
        #expect(log.contains("Unknown parameter (NLM_Prt)"))
    }
}
