import Foundation
import StorageModel
import Testing
@testable import StorageRender

@Suite struct TemplateLibraryTests {
    @Test func everyFileInTemplatesIsEmbeddedAndViceVersa() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: PackagePaths.templates.path)
            .filter { $0.hasSuffix(".mustache") }.sorted()
        #expect(onDisk == TemplateName.allCases.map(\.fileName).sorted())
    }

    @Test(arguments: TemplateName.allCases)
    func embeddedTemplateIsTheFileInTemplatesAndRendersAsText(_ template: TemplateName) throws {
        let file = try String(contentsOf: PackagePaths.templates.appendingPathComponent(template.fileName), encoding: .utf8)
        #expect(template.source == file)
        // Without the pragma swift-mustache HTML-escapes & < > " in config files.
        #expect(file.hasPrefix("{{% CONTENT_TYPE: TEXT}}\n"))
    }

    @Test func valuesAreNotHTMLEscaped() throws {
        var spec = try GoldenCase.all.first { $0.name == "kvm-nfs" }!.load()
        spec.nfs!.exports[0].options = ["rw", "sec=krb5:sys"]
        spec.nfs!.exports[0].clients = ["*.example.org"]
        let exports = try HostRenderer.render(spec, host: "nfs1").first { $0.path == "/etc/exports" }!
        #expect(exports.content.contains("/data1/storage *.example.org(rw,sec=krb5:sys,fsid=1)"))
    }

    @Test func aTargetWithCHAPNeedsItsSecret() throws {
        let spec = try GoldenCase.all.first { $0.name == "iscsi-two-servers-chap" }!.load()
        #expect(throws: RenderError.missingSecret(file: "/etc/storagekit/vm.chap", target: "iqn.2026-11.org.example.san1:vm")) {
            try HostRenderer.render(spec, host: "san1")
        }
        #expect(throws: RenderError.self) { try HostRenderer.render(spec, host: "nosuchhost") }
    }
}

@Suite struct CHAPSecretRenderingTests {
    @Test(arguments: ["two words", "", "has#hash", "naïve-secret"])
    func aSecretThatCannotBeOneWordIsRefused(_ secret: String) throws {
        let spec = try GoldenCase.all.first { $0.name == "iscsi-two-servers-chap" }!.load()
        #expect(throws: RenderError.unusableSecret(file: "/etc/storagekit/vm.chap")) {
            try HostRenderer.render(spec, host: "san1", secrets: ["/etc/storagekit/vm.chap": secret])
        }
    }
}
