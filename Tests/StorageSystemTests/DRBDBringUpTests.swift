import Foundation
import StorageFacts
import StorageModel
import StorageSystem
import Testing

/// `setup drbd`'s decisions as values: metadata only on an empty disk, `up` or `adjust`, the
/// initial sync from the first node only, Primary on both only when dual-primary and in sync.
@Suite struct DRBDBringUpTests {
    let resource = DRBDResource(name: "r0", device: "/dev/drbd0", disk: "/dev/vdb", port: 7900,
                                hosts: [DRBDNode(name: "hv1", address: "10.20.5.31"), DRBDNode(name: "hv2", address: "10.20.5.32")])

    func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/blkid/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    func argv(_ steps: [DRBDBringUp.Step]) -> [String] { steps.map { "\($0.host): \($0.argv.joined(separator: " "))" } }

    @Test func blkidOutputCapturedHereTellsMetadataFromAFileSystemFromNothing() throws {
        #expect(DiskSignature.parse(exitCode: 0, output: try fixture("drbd-v08-internal.txt")) == .drbdMetadata)
        #expect(DiskSignature.parse(exitCode: 0, output: try fixture("ext4.txt")) == .other("ext4"))
        #expect(DiskSignature.parse(exitCode: 2, output: "") == .nothing)
        #expect(DiskSignature.parse(exitCode: 0, output: "DEVNAME=/dev/vdb\nPTUUID=1\nPTTYPE=gpt\n") == .other("gpt"))
        #expect(DiskSignature.parse(exitCode: 4, output: "") == nil, "blkid's own failure is not 'nothing'")
    }

    @Test func aFreshPairGetsMetadataUpTheInitialSyncFromTheFirstNodeOnlyThenBothPrimary() throws {
        let nodes = [DRBDBringUp.NodeState(host: "hv1", disk: .nothing, device: nil), DRBDBringUp.NodeState(host: "hv2", disk: .nothing, device: nil)]
        #expect(argv(try DRBDBringUp.preview(resource, nodes: nodes, force: false)) == [
            "hv1: drbdadm create-md --force r0", "hv1: drbdadm up r0",
            "hv2: drbdadm create-md --force r0", "hv2: drbdadm up r0",
            "hv1: drbdadm primary --force r0",
            "hv2: drbdadm primary r0",
        ])
    }

    @Test func existingMetadataIsNeverRecreatedAndARunningResourceIsOnlyAdjusted() throws {
        let connected = DRBDDeviceFacts(minor: 0, connection: "Connected", role: "Primary", peerRole: "Primary", disk: "UpToDate", peerDisk: "UpToDate")
        let up = [DRBDBringUp.NodeState(host: "hv1", disk: .drbdMetadata, device: connected), DRBDBringUp.NodeState(host: "hv2", disk: .drbdMetadata, device: connected)]
        #expect(argv(try DRBDBringUp.preview(resource, nodes: up, force: true)) == ["hv1: drbdadm adjust r0", "hv2: drbdadm adjust r0"])
        let down = [DRBDBringUp.NodeState(host: "hv1", disk: .drbdMetadata, device: nil), DRBDBringUp.NodeState(host: "hv2", disk: .nothing, device: nil)]
        let steps = argv(try DRBDBringUp.preview(resource, nodes: down, force: false))
        #expect(!steps.contains("hv1: drbdadm create-md --force r0") && steps.contains("hv1: drbdadm up r0") && steps.contains("hv2: drbdadm create-md --force r0"))
        #expect(!steps.contains { $0.contains("primary --force") }, "one disk was in sync before: no forced sync")
    }

    @Test func aFileSystemOnTheDiskIsRefusedWithoutForceAndNamedWithIt() throws {
        let node = DRBDBringUp.NodeState(host: "hv2", disk: .other("ext4"), device: nil)
        #expect(throws: SystemError.self) { try DRBDBringUp.attach(resource, node, force: false) }
        do {
            _ = try DRBDBringUp.attach(resource, node, force: false)
        } catch {
            #expect(error.host == "hv2" && error.message.contains("/dev/vdb holds ext4 data (blkid)") && error.message.contains("--force"))
        }
        #expect(argv(try DRBDBringUp.attach(resource, node, force: true)) == ["hv2: drbdadm create-md --force r0", "hv2: drbdadm up r0"])
    }

    @Test func theInitialSyncWaitsForTheConnectionAndNeverRunsOnTheSecondNode() {
        let fresh = DRBDDeviceFacts(connection: "Connected", role: "Secondary", peerRole: "Secondary", disk: "Inconsistent", peerDisk: "Inconsistent")
        #expect(DRBDBringUp.initialSync(resource, states: ["hv1": fresh, "hv2": fresh])?.host == "hv1")
        var waiting = fresh
        waiting.connection = "WFConnection"
        #expect(DRBDBringUp.initialSync(resource, states: ["hv1": waiting, "hv2": fresh]) == nil)
        var synced = fresh
        synced.disk = "UpToDate"
        synced.peerDisk = "UpToDate"
        #expect(DRBDBringUp.initialSync(resource, states: ["hv1": synced, "hv2": synced]) == nil)
    }

    @Test func singlePrimaryPromotesNobodyBeyondTheInitialSync() throws {
        var single = resource
        single.allowTwoPrimaries = false
        let nodes = [DRBDBringUp.NodeState(host: "hv1", disk: .nothing, device: nil), DRBDBringUp.NodeState(host: "hv2", disk: .nothing, device: nil)]
        let steps = argv(try DRBDBringUp.preview(single, nodes: nodes, force: false))
        #expect(steps.last == "hv1: drbdadm primary --force r0" && !steps.contains("hv2: drbdadm primary r0"))
    }
}
