import Foundation
import StorageModel
import StorageRender
import StorageTestSupport
import Testing

/// What the golden files of examples/xen-drbd.yaml do not show: who gets the files, and the
/// variants of the spec's options.
@Suite struct DRBDFilesTests {
    static func spec() throws -> ClusterSpec {
        var spec = try TestSpecs.load(TestSpecs.packageRoot.appendingPathComponent("examples/xen-drbd.yaml"))
        spec.hosts.append(Host(name: "hv3", addresses: ["10.20.0.33"], roles: [.hypervisor]))
        return spec
    }

    @Test func onlyTheNodesOfAResourceGetItsFiles() throws {
        let spec = try Self.spec()
        #expect(DRBDFiles.paths(spec, host: "hv1") == ["/etc/drbd.d/global_common.conf", "/etc/drbd.d/r0.res", "/etc/modprobe.d/drbd.conf"])
        #expect(DRBDFiles.paths(spec, host: "hv3") == [])
        #expect(DRBDFiles.paths(spec, host: "nosuchhost") == [])
        #expect(try HostRenderer.render(spec, host: "hv2", parts: [.drbd]).map(\.path) == DRBDFiles.paths(spec, host: "hv2"))
        #expect(try HostRenderer.render(spec, host: "hv3").allSatisfy { !$0.path.contains("drbd") })
    }

    @Test func singlePrimaryAndNoVerifyLeaveTheirLinesOut() throws {
        var spec = try Self.spec()
        spec.drbd!.resources[0].allowTwoPrimaries = false
        spec.drbd!.resources[0].verifyAlg = nil
        spec.drbd!.resources[0].protocol = .a
        spec.drbd!.disableSendpage = false
        let files = try HostRenderer.render(spec, host: "hv1", parts: [.drbd])
        #expect(files.map(\.path) == ["/etc/drbd.d/global_common.conf", "/etc/drbd.d/r0.res"])
        let res = try #require(files.last?.content)
        #expect(res.contains("        protocol A;\n"))
        for absent in ["allow-two-primaries", "become-primary-on", "verify-alg", "startup"] {
            #expect(!res.contains(absent), "\(absent) rendered for a single-primary resource without verifyAlg")
        }
    }

    @Test func theDefaultAddressIsTheHostsFirstAndPoliciesAreTheSpecs() throws {
        var spec = try Self.spec()
        spec.drbd!.resources[0].hosts = [DRBDNode(name: "hv1"), DRBDNode(name: "hv2")]
        spec.drbd!.resources[0].afterSb1pri = .consensus
        spec.drbd!.resources[0].metaDisk = "/dev/vdc1"
        let res = try #require(try HostRenderer.render(spec, host: "hv2", parts: [.drbd]).first { $0.path == "/etc/drbd.d/r0.res" }).content
        #expect(res.contains("    on hv1 {\n        address 10.20.0.31:7900;\n    }\n    on hv2 {\n        address 10.20.0.32:7900;\n    }\n"))
        #expect(res.contains("after-sb-1pri consensus;"))
        #expect(res.contains("meta-disk /dev/vdc1;"))
    }

    @Test func theReplicationPortIsOpenToThePeerAndDroppedForEveryoneElse() throws {
        let spec = try Self.spec()
        let rules = try #require(FirewallFiles.chainRestoreInput(spec, host: "hv2"))
        #expect(rules.contains("-A STORAGEKIT -s 10.20.5.31/32 -p tcp -m tcp --dport 7900 -m comment --comment \"drbd-r0\" -j ACCEPT\n"))
        #expect(rules.contains("-A STORAGEKIT -p tcp -m tcp --dport 7900 -m comment --comment \"drbd-r0: not from 10.20.5.31\" -j DROP\n"))
        #expect(!rules.contains("-s 10.20.0.0/24 -p tcp -m tcp --dport 7900"), "the storage network at large must not reach the DRBD port")
        #expect(FirewallFiles.chainRestoreInput(spec, host: "hv3")?.contains("7900") == false)
    }
}
