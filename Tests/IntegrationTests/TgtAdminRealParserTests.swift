import Foundation
import StorageModel
import StorageTestSupport
import Testing

/// `tgt-admin -c FILE -e -p` prints the tgtadm commands it would run (no tgtd needed). It ignores
/// directives it does not know, silently: so every directive we render must show up as a command.
@Suite(.needsRoot("tgt-admin refuses to run for anyone else, even to print")) struct TgtAdminRealParserTests {
    @Test(arguments: ["examples/xen-iscsi-multipath.yaml", "Tests/StorageRenderTests/Specs/iscsi-two-servers-chap.yaml",
                      "Tests/StorageRenderTests/Specs/iscsi-gfs2.yaml"])
    func everyRenderedDirectiveBecomesATgtadmCommand(_ specPath: String) async throws {
        let directory = try TemporaryDirectory()
        var spec = try RealTool.load(RealTool.packageRoot.appendingPathComponent(specPath))
        // Backing stores inside the temporary directory, so tgt-admin does not skip the LUNs.
        for t in spec.iscsi!.targets.indices {
            for l in spec.iscsi!.targets[t].luns.indices {
                let store = "\(directory.path)/stores/t\(t)-l\(l).img"
                spec.iscsi!.targets[t].luns[l].backingStore = store
                try FileManager.default.createDirectory(atPath: "\(directory.path)/stores", withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: store, contents: Data(count: 4096))
            }
        }
        let files = try RealTool.renderAll(spec, into: directory.path).filter { $0.file.path.hasPrefix("/etc/tgt/conf.d/") }
        #expect(!files.isEmpty)
        for file in files {
            let result = try await RealTool.run(["tgt-admin", "-c", file.path, "-e", "-p"])
            let printed = result.stdout + result.stderr
            #expect(result.exitCode == 0, "\(printed)")
            #expect(!printed.contains("Skipping device"), "\(printed)")
            for target in spec.iscsi!.targets where target.server == file.host {
                #expect(printed.contains("-T \(target.iqn)"), "\(target.iqn) not created:\n\(printed)")
                for lun in target.luns {
                    let identity = spec.identity(of: target, lun)
                    #expect(printed.contains("--lun \(lun.lun) -b \"\(lun.backingStore)\""))
                    #expect(printed.contains("--lun=\(lun.lun) --params scsi_id=\"\(identity.scsiID)\""))
                    #expect(printed.contains("--lun=\(lun.lun) --params scsi_sn=\"\(identity.serial)\""))
                }
                let acl = spec.initiatorACL(of: target)
                for address in acl.addresses { #expect(printed.contains("-I \(address)\n") || printed.hasSuffix("-I \(address)")) }
                for name in acl.names { #expect(printed.contains("-Q \(name)")) }
                // tgt-admin binds ALL when a target has no initiator-address: that must never happen.
                #expect(!printed.contains("-I ALL"), "target open to every initiator:\n\(printed)")
                if let chap = target.chap {
                    #expect(printed.contains("--mode account --op new --user=\(chap.username) --password="))
                    #expect(printed.contains("--mode account --op bind --tid=") && printed.contains("--user=\(chap.username)"))
                }
            }
        }
    }
}
