import Foundation
import Testing
@testable import StorageSystem

/// A write to a reader that is gone never takes storagekit down (SIGPIPE): once it runs a
/// child, SIGPIPE is ignored, and a tool that exits before reading its stdin gives its status.
@Suite struct BrokenPipeTests {
    static func sigpipeIgnored() throws -> Bool {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") })
        let mask = try #require(UInt64(line.split(separator: "\t").last ?? "", radix: 16))
        return mask & (1 << (UInt64(SIGPIPE) - 1)) != 0
    }

    @Test func aToolThatClosesItsStdinAndExitsGivesItsStatusAndSIGPIPEIsIgnored() async throws {
        // 4 MiB: far more than a pipe holds, so the writer is still writing when the reader is gone.
        let input = String(repeating: "x", count: 4 << 20)
        let result = try await SubprocessRunner().run(Command("/bin/sh", ["-c", "exec 0<&-; echo rejected >&2; exit 3"], stdin: input))
        #expect(result.exitCode == 3 && result.stderr == "rejected\n")
        #expect(try Self.sigpipeIgnored(), "SIGPIPE is ignored once storagekit has run a child")
    }
}
