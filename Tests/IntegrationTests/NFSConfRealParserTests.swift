import Foundation
import Testing

/// nfsconf exits 0 even on syntax errors: its complaints come on stderr ("config error at F:1").
@Suite struct NFSConfRealParserTests {
    @Test func everyRenderedNFSConfParsesAndCarriesThePinnedPorts() async throws {
        let directory = try TemporaryDirectory()
        let files = try RealTool.renderEverySpec(directory).filter { $0.file.path == "/etc/nfs.conf" }
        #expect(files.count >= 3)
        for file in files {
            let dump = try await RealTool.run(["nfsconf", "--file", file.path, "--dump"])
            #expect(dump.exitCode == 0 && !dump.stderr.contains("error"), "\(file.spec)/\(file.host): \(dump.stderr)")
        }
        let kvm = try #require(files.first { $0.spec == "kvm-nfs" })
        for (section, key, value) in [("mountd", "port", "892"), ("statd", "port", "662"), ("statd", "outgoing-port", "2020"),
                                      ("lockd", "port", "32803"), ("lockd", "udp-port", "32769")] {
            let read = try await RealTool.run(["nfsconf", "--file", kvm.path, "--get", section, key])
            #expect(read.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == value, "[\(section)] \(key)")
        }
    }

    @Test func aSyntaxErrorIsReportedOnStderr() async throws {
        let directory = try TemporaryDirectory()
        let broken = try directory.write("nfs.conf", "[mountd\nport=892\n")
        let dump = try await RealTool.run(["nfsconf", "--file", broken, "--dump"])
        #expect(dump.stderr.contains("config error"))
    }
}
