import Foundation
import Testing

/// `storagekit facts --session`, the binary itself: one process answers every request line with
/// one line of JSON, and ends with the reason at the first line it cannot take.
@Suite struct FactsSessionCommandTests {
    struct Answer: Decodable, Equatable {
        let export: String
        let path: String
        let error: String?
    }

    static func request(spec: String, host: String, path: String) throws -> String {
        let body: [String: Any] = [
            "host": host, "specYAML": spec, "secrets": [String: String](), "probeTimeoutMs": 500, "mode": "readCanaries",
            "canaries": [["export": "/srv/vmstore", "path": path]],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    @Test func oneProcessAnswersEachRequestOnItsOwnLineThenStopsAtABadOne() async throws {
        // An iSCSI-only spec: canary requests are answered without any network traffic.
        let spec = try String(contentsOf: RealTool.packageRoot.appendingPathComponent("examples/xen-iscsi-multipath.yaml"), encoding: .utf8)
        let input = [
            try Self.request(spec: spec, host: "xen1", path: "/.c-1"),
            try Self.request(spec: spec, host: "xen2", path: "/.c-2"),
            "this is not a request",
            try Self.request(spec: spec, host: "xen1", path: "/.c-never"),
        ].joined(separator: "\n") + "\n"
        let result = try await RealTool.run([RenderCommandTests.binary, "facts", "--session"], stdin: input)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.contains("a facts request is not valid JSON of this storagekit version"))
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stdout)")
        let answers = try lines.map { try JSONDecoder().decode([Answer].self, from: Data($0.utf8)) }
        #expect(answers == [
            [Answer(export: "/srv/vmstore", path: "/.c-1", error: "the spec has no NFS server")],
            [Answer(export: "/srv/vmstore", path: "/.c-2", error: "the spec has no NFS server")],
        ])
    }

    @Test func sessionTakesNoSpecOrRequestOption() async throws {
        let result = try await RealTool.run([RenderCommandTests.binary, "facts", "--session", "--request", "-"], stdin: "")
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--session reads its requests from standard input"))
    }
}
