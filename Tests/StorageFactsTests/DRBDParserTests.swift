import Foundation
import StorageTestSupport
import Testing
@testable import StorageFacts

/// /proc/drbd (8.x) and `drbdadm status` (9) as published from real clusters (provenance in
/// Tests/Fixtures/drbd/README.md), read into one value per device and peer.
@Suite struct DRBDParserTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("drbd/\(name)")
    }

    static func proc(_ name: String) throws -> ProcDRBDParser.Contents { try ProcDRBDParser.parse(fixture("proc/\(name)")) }
    static func status(_ name: String) throws -> [DRBDDeviceFacts] { try DRBDStatusParser.parse(fixture("status/\(name)")) }

    // MARK: /proc/drbd

    @Test(arguments: ["8.4.3-connected-dual-primary.txt", "8.3.8-connected-dual-primary.txt"])
    func connectedDualPrimary(_ name: String) throws {
        let contents = try Self.proc(name)
        #expect(contents.devices == [DRBDDeviceFacts(
            minor: 0, connection: "Connected", replication: "Established", role: "Primary", peerRole: "Primary", disk: "UpToDate", peerDisk: "UpToDate")])
        #expect(contents.version == (name.hasPrefix("8.4") ? "8.4.3" : "8.3.8"))
    }

    @Test func connectedSecondaryPrimary() throws {
        let device = try #require(try Self.proc("8.3.8-connected-secondary-primary.txt").devices.first)
        #expect((device.role, device.peerRole, device.isConnected, device.syncPercent) == ("Secondary", "Primary", true, nil))
    }

    @Test func bothSidesOfASplitBrainAreStandAloneWithNoPeerState() throws {
        let secondary = try Self.proc("8.4.0-split-brain-standalone-secondary.txt")
        let primary = try Self.proc("8.4.0-split-brain-standalone-primary.txt")
        #expect(secondary.version == "8.4.0")
        #expect(secondary.devices == [DRBDDeviceFacts(
            minor: 0, connection: "StandAlone", role: "Secondary", peerRole: "Unknown", disk: "UpToDate", peerDisk: "DUnknown")])
        #expect(primary.devices.map(\.role) == ["Primary"])
        #expect(primary.devices.allSatisfy { !$0.isConnected && $0.replication == nil })
    }

    @Test func theVictimWaitsInWFConnection() throws {
        let device = try #require(try Self.proc("8.4.11-split-brain-victim-wfconnection.txt").devices.first)
        #expect(device.minor == 0)
        #expect(device.connection == "WFConnection")
        #expect(device.replication == nil)
        #expect(device.peerRole == "Unknown")
    }

    @Test(arguments: [
        ("8.4.11-sync-target.txt", 0, "SyncTarget", "Secondary", "Inconsistent", 3.1),
        ("8.4.10-sync-source.txt", 0, "SyncSource", "Primary", "UpToDate", 28.3),
        ("8.3.8-sync-target.txt", 0, "SyncTarget", "Secondary", "Inconsistent", 20.8),
        ("8.3.11-scenario-sync-source.txt", 1, "SyncSource", "Primary", "UpToDate", 7.9),
    ])
    func aResyncIsConnectedWithItsProgress(_ name: String, _ minor: Int, _ replication: DRBDReplicationState, _ role: DRBDRole, _ disk: DRBDDiskState, _ percent: Double) throws {
        let devices = try Self.proc(name).devices
        #expect(devices.count == 1)
        let device = try #require(devices.first)
        #expect(device.minor == minor)
        #expect(device.connection == "Connected")
        #expect(device.replication == replication)
        #expect(device.role == role)
        #expect(device.disk == disk)
        #expect(device.syncPercent == percent)
    }

    @Test func drbd9ListsNoDevicesInProc() throws {
        let contents = try Self.proc("9.0.32-version-only.txt")
        #expect(contents.version == "9.0.32-1")
        #expect(contents.devices.isEmpty)
    }

    @Test func unconfiguredMinorsAndSeveralDevices() throws {
        let text = try Self.fixture("proc/8.4.0-split-brain-standalone-primary.txt") + " 1: cs:Unconfigured\n"
            + (try Self.fixture("proc/8.4.11-sync-target.txt")).replacingOccurrences(of: " 0: cs:", with: " 2: cs:")
        let devices = try ProcDRBDParser.parse(text).devices
        #expect(devices.map(\.minor) == [0, 2])
        #expect(devices.map(\.syncPercent) == [nil, 3.1], "the progress line belongs to the device above it")
    }

    @Test func aDeviceLineWithoutItsStatesNamesTheLine() {
        let text = "version: 8.4.11 (api:1/proto:86-101)\n 0: cs:Connected ro:Primary/Primary C r-----\n"
        #expect(throws: ToolOutputError(tool: "/proc/drbd", line: 2, text: " 0: cs:Connected ro:Primary/Primary C r-----",
                                       reason: "a device line needs cs:, ro: and ds:")) { try ProcDRBDParser.parse(text) }
    }

    // MARK: drbdadm status

    @Test(arguments: ["9-dual-primary.txt", "9-dual-primary-wrapped.txt"])
    func dualPrimaryEstablished(_ name: String) throws {
        let devices = try Self.status(name)
        #expect(devices.count == 1)
        let device = try #require(devices.first)
        #expect(device.resource == (name.contains("wrapped") ? "datos" : "dbdata"))
        #expect(device.peer == "peer")
        #expect((device.role, device.peerRole, device.disk, device.peerDisk) == ("Primary", "Primary", "UpToDate", "UpToDate"))
        #expect(device.connection == "Connected" && device.replication == "Established" && device.syncPercent == nil)
    }

    @Test func establishedIsNotPrintedButMeant() throws {
        #expect(try Self.status("9-openvz-established-secondary-primary.txt") == [DRBDDeviceFacts(
            resource: "r0", volume: 0, connection: "Connected", replication: "Established", role: "Secondary", peerRole: "Primary",
            disk: "UpToDate", peerDisk: "UpToDate", peer: "server1")])
    }

    @Test(arguments: [("9-openvz-sync-source.txt", "SyncSource", "Primary", "Inconsistent"), ("9-openvz-sync-target.txt", "SyncTarget", "Secondary", "UpToDate")])
    func syncInProgress(_ name: String, _ replication: DRBDReplicationState, _ role: DRBDRole, _ peerDisk: DRBDDiskState) throws {
        let device = try #require(try Self.status(name).first)
        #expect(device.replication == replication)
        #expect(device.role == role)
        #expect(device.peerDisk == peerDisk)
        #expect(device.syncPercent == 0.04)
    }

    @Test func aPeerNotConnectedHasNoRoleOrDisk() throws {
        #expect(try Self.status("8.4.11-connecting.txt") == [DRBDDeviceFacts(
            resource: "r0", volume: 0, connection: "Connecting", role: "Secondary", peerRole: "Unknown", disk: "UpToDate", peerDisk: "DUnknown", peer: "peer")])
    }

    @Test func splitBrainWithAThirdNodeGivesOneEntryPerPeer() throws {
        let devices = try Self.status("9-linstor-standalone-split-brain.txt")
        #expect(devices.map(\.peer) == ["m11c12", "m14c6"])
        #expect(devices.map(\.connection) == ["Connected", "StandAlone"])
        #expect(devices.map(\.peerDisk) == ["Diskless", "DUnknown"])
        #expect(devices.allSatisfy { $0.resource == "one-vm-8373-disk-2" && $0.disk == "Outdated" && $0.role == "Secondary" })
    }

    @Test func aCongestedConnectionLineStillGivesThePeersRoleAndTheSync() throws {
        let synced = try #require(try Self.status("9-linstor-congested-sync-source.txt").first { $0.peer == "m13c23" })
        #expect((synced.peerRole, synced.replication, synced.peerDisk, synced.syncPercent) == ("Secondary", "SyncSource", "Inconsistent", 72.42))
    }

    @Test func verboseStatusCarriesTheMinor() throws {
        let devices = try Self.status("9-linstor-verbose-unconnected.txt")
        #expect(devices.map(\.minor) == [3194, 3194])
        #expect(devices[0].connection == "Connected" && devices[0].replication == "Established" && devices[0].peerDisk == "UpToDate")
        #expect(devices[1].connection == "Unconnected" && devices[1].replication == nil && devices[1].peerRole == "Unknown")
    }

    @Test func severalResources() throws {
        let devices = try Self.status("9-rdqm-three-resources-sync-stuck.txt")
        #expect(devices.count == 6)
        #expect(Set(devices.compactMap(\.resource)) == ["haqm1", "haqm2", "haqm3"])
        let stuck = devices.filter { $0.syncPercent != nil }
        #expect(stuck.map { "\($0.resource!) \($0.peer!) \($0.syncPercent!)" } == ["haqm1 mqhavm15.hursley.ibm.com 90.91"])
        #expect(devices.filter { $0.resource == "haqm3" }.map(\.peerRole) == ["Secondary", "Primary"])
    }

    @Test func severalVolumesGiveOneEntryPerVolume() throws {
        let text = """
            r0 role:Primary
              volume:0 disk:UpToDate
              volume:1 disk:Inconsistent
              hv2 role:Secondary
                volume:0 peer-disk:UpToDate
                volume:1 replication:SyncSource peer-disk:Inconsistent done:12.50
            """
        let devices = try DRBDStatusParser.parse(text)
        #expect(devices.map(\.volume) == [0, 1])
        #expect(devices.map(\.disk) == ["UpToDate", "Inconsistent"])
        #expect(devices.map(\.syncPercent) == [nil, 12.5])
    }

    @Test func nothingConfiguredIsAnEmptyList() throws {
        #expect(try Self.status("9-none-configured.txt").isEmpty)
        #expect(try DRBDStatusParser.parse("").isEmpty)
    }

    @Test func somethingElseIsRefusedWithItsLine() {
        #expect(throws: ToolOutputError(tool: "drbdsetup status", line: 1, text: "r0: No such resource", reason: "a resource line needs role:")) {
            try DRBDStatusParser.parse("r0: No such resource\n")
        }
        #expect(throws: ToolOutputError.self) { try DRBDStatusParser.parse("  disk:UpToDate\n") }
    }
}
