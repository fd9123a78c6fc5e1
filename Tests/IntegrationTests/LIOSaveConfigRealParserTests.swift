import Foundation
import StorageModel
import StorageTestSupport
import Testing

/// Every rendered saveconfig.json against rtslib-fb's own code (Debian 12's python3-rtslib-fb):
/// its storage-object constructors take every key we write, its plugin names, and its
/// normalize_wwn accepts every IQN (scripts/lib/rtslib-check-saveconfig). rtslib's restore
/// itself writes configfs, which this kernel lacks. The checker runs with Debian's own Python
/// (/usr/bin/python3), where the package puts rtslib_fb.
@Suite struct LIOSaveConfigRealParserTests {
    static let checker = RealTool.packageRoot.appendingPathComponent("scripts/lib/rtslib-check-saveconfig").path

    @Test func everyRenderedSaveconfigReadsAsRtslibReadsIt() async throws {
        let directory = try TemporaryDirectory()
        let files = try RealTool.renderEverySpec(directory).filter { $0.file.path.hasSuffix("/saveconfig.json") }
        #expect(files.count >= 2, "the LIO spec renders a Debian and a RHEL file")
        for file in files {
            let result = try await RealTool.run([Self.checker, file.path])
            #expect(result.exitCode == 0 && result.stdout.isEmpty, "\(file.spec)/\(file.host): \(result.stdout)\(result.stderr)")
        }
    }

    /// The checker fails on what rtslib would skip or refuse.
    @Test func theCheckerCanTellABadFile() async throws {
        let directory = try TemporaryDirectory()
        let bad = """
            {"storage_objects": [{"name": "d", "plugin": "block", "dev": "/dev/vg0/d", "size": 1024, "wwn": "SK1"},
                                 {"name": "f", "plugin": "fileio", "dev": "/srv/f.img", "wwn": "SK2", "attributes": {"emulate_tpu": true}}],
             "targets": [{"fabric": "iscsi", "wwn": "iqn.2026-11.org.example:bad_name",
               "tpgs": [{"tag": 1, "luns": [{"index": 1, "storage_object": "/backstores/fileio/gone"}],
                         "node_acls": [{"node_wwn": "iqn.2026-11.org.example:hv1", "userid": "u",
                                        "mapped_luns": [{"index": 1, "tpg_lun": 7}]}]}]}]}
            """
        let path = try directory.write("bad.json", bad)
        let result = try await RealTool.run([Self.checker, path])
        #expect(result.exitCode == 1)
        for said in ["BlockStorageObject takes no ['size']", "a file needs its size", "emulate_tpu is True", "WWN not valid",
                     "/backstores/fileio/gone is no storage object", "rtslib ignores ['userid']", "tpg_lun 7"] {
            #expect(result.stdout.contains(said), "\(said) not in:\n\(result.stdout)")
        }
    }
}
