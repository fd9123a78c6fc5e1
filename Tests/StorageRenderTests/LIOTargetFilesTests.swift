import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing

/// rtslib-fb's saveconfig.json as storagekit renders it for `implementation: lio` targets: the
/// keys rtslib 2.1.75's restore reads, consistent with each other and with the spec's identity.
@Suite struct LIOTargetFilesTests {
    static func spec() throws -> ClusterSpec {
        try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-lio-and-tgt.yaml"))
    }

    static func saveconfig(_ host: String, secrets: [String: String] = TestSpecs.secrets) throws -> (file: RenderedFile, json: [String: Any]) {
        let files = try HostRenderer.render(try spec(), host: host, secrets: secrets, parts: [.iscsiTarget])
        let file = try #require(files.first { $0.path.hasSuffix("saveconfig.json") })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(file.content.utf8)) as? [String: Any])
        return (file, json)
    }

    @Test func debianAndRHELKeepItWhereTheirRtslibLooksAndTgtdHostsGetNone() throws {
        let debian = try Self.saveconfig("san1")
        #expect(debian.file.path == "/etc/rtslib-fb-target/saveconfig.json" && debian.file.mode == 0o600 && debian.file.containsSecret)
        #expect(try Self.saveconfig("san3").file.path == "/etc/target/saveconfig.json")
        let tgt = try HostRenderer.render(try Self.spec(), host: "san2", secrets: TestSpecs.secrets, parts: [.iscsiTarget]).map(\.path)
        #expect(tgt == ["/etc/tgt/conf.d/mixed.conf"])
        let lio = try HostRenderer.render(try Self.spec(), host: "san1", secrets: TestSpecs.secrets, parts: [.iscsiTarget]).map(\.path)
        #expect(lio == ["/etc/rtslib-fb-target/saveconfig.json"], "a LIO server gets no tgtd file")
    }

    @Test func everyReferenceResolvesAndTheSerialsAreTheSpecsIdentities() throws {
        let spec = try Self.spec()
        let target = spec.iscsi!.targets[0]
        let json = try Self.saveconfig("san1").json
        let objects = try #require(json["storage_objects"] as? [[String: Any]])
        #expect(objects.map { $0["plugin"] as? String } == ["fileio", "block"])
        #expect(objects[0]["size"] as? Int == 20 * 1024 * 1024 * 1024, "a file needs its size")
        #expect(objects[1]["size"] == nil, "rtslib refuses a size for a block device")
        #expect(objects.map { $0["wwn"] as? String } == target.luns.map { spec.identity(of: target, $0).serial })
        #expect(objects[1]["wwn"] as? String == "SK0123456789ABCD")

        let targets = try #require(json["targets"] as? [[String: Any]])
        #expect(targets.count == 1 && targets[0]["wwn"] as? String == target.iqn && targets[0]["fabric"] as? String == "iscsi")
        let tpg = try #require((targets[0]["tpgs"] as? [[String: Any]])?.first)
        let attributes = try #require(tpg["attributes"] as? [String: Int])
        #expect(attributes["authentication"] == 1 && attributes["generate_node_acls"] == 0, "CHAP enforced, no demo mode")
        #expect(tpg["parameters"] as? [String: String] == ["AuthMethod": "CHAP"])
        #expect((tpg["portals"] as? [[String: Any]])?.map { "\($0["ip_address"]!):\($0["port"]!)" } == ["10.50.0.5:3260", "10.50.1.5:3260"])
        let luns = try #require(tpg["luns"] as? [[String: Any]])
        let names = Set(objects.map { "/backstores/\($0["plugin"]!)/\($0["name"]!)" })
        #expect(Set(luns.compactMap { $0["storage_object"] as? String }) == names)
        let acls = try #require(tpg["node_acls"] as? [[String: Any]])
        #expect(acls.map { $0["node_wwn"] as? String } == [spec.initiatorName(of: spec.host(named: "hv1")!), "iqn.2026-11.org.example:hv2"])
        for acl in acls {
            #expect(acl["chap_userid"] as? String == "vmuser" && acl["chap_password"] as? String == TestSpecs.secrets["/etc/storagekit/vm.chap"])
            let mapped = try #require(acl["mapped_luns"] as? [[String: Any]])
            #expect(Set(mapped.compactMap { $0["tpg_lun"] as? Int }) == Set(luns.compactMap { $0["index"] as? Int }))
        }
    }

    @Test func attributesAreIntegersAsTheKernelReadsThem() throws {
        let text = try Self.saveconfig("san1").file.content
        #expect(text.contains("\"authentication\" : 1"))
        #expect(!text.contains("\"authentication\" : true"))
        #expect(!text.contains("\\/"), "paths as written, slashes not escaped")
        #expect(text.hasSuffix("}\n"))
    }

    @Test func aSecretLIOCannotTakeIsRefusedBeforeAnythingIsWritten() throws {
        #expect(throws: RenderError.unusableSecret(file: "/etc/storagekit/vm.chap")) {
            try HostRenderer.render(try Self.spec(), host: "san1", secrets: ["/etc/storagekit/vm.chap": "NULL"], parts: [.iscsiTarget])
        }
        #expect(throws: RenderError.missingSecret(file: "/etc/storagekit/vm.chap", target: "iqn.2026-11.org.example.san1:vm")) {
            try HostRenderer.render(try Self.spec(), host: "san1", secrets: [:], parts: [.iscsiTarget])
        }
    }

    @Test func noWWIDOfTheLIOTargetsCollidesWithTheTgtOnes() throws {
        let spec = try Self.spec()
        let wwids = (spec.iscsi?.allLUNs ?? []).map { spec.identity(of: $0.target, $0.lun).wwid }
        #expect(Set(wwids).count == wwids.count && wwids.count == 4)
        let diagnostics = SpecValidator(secretFile: { _ in .ok(length: 16) }).validate(try SpecLoader.load(yaml: String(contentsOf: TestSpecs.packageRoot.appendingPathComponent("Tests/StorageRenderTests/Specs/iscsi-lio-and-tgt.yaml"), encoding: .utf8)))
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
    }
}
