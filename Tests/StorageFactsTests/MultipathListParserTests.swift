import Testing
@testable import StorageFacts

/// The layout documented for multipath-tools (Red Hat's DM Multipath guide, "Multipath Command
/// Output") and the alias header seen in the kernel lab (`vmstore (36e1f…0001) dm-0
/// IET,VIRTUAL-DISK`); to be joined by captures from the kernel lab's guests.
@Suite struct MultipathListParserTests {
    static let twoMaps = """
        vmstore-1 (36462bacc0d383ebeddfa0e142f00f2ef) dm-0 IET,VIRTUAL-DISK
        size=256M features='0' hwhandler='0' wp=rw
        |-+- policy='service-time 0' prio=1 status=active
        | `- 2:0:0:1 sda 8:0  active ready running
        `-+- policy='service-time 0' prio=1 status=enabled
          `- 3:0:0:1 sdc 8:32 active ready running
        3600d0230000000000e13955cc3757800 dm-1 WINSYS,SF2372
        size=269G features='0' hwhandler='0' wp=rw
        |-+- policy='round-robin 0' prio=1 status=active
        | `- 6:0:0:0 sdb 8:16  active ready  running
        `-+- policy='round-robin 0' prio=1 status=enabled
          `- 7:0:0:0 sdf 8:80  failed faulty offline

        """

    @Test func mapsWithAndWithoutAliasAndTheirPaths() throws {
        let maps = try MultipathListParser.parse(Self.twoMaps)
        #expect(maps.count == 2)
        #expect(maps[0].alias == "vmstore-1" && maps[0].wwid == "36462bacc0d383ebeddfa0e142f00f2ef" && maps[0].dm == "dm-0")
        #expect(maps[0].vendorProduct == "IET,VIRTUAL-DISK")
        #expect(maps[0].paths == [.init(hctl: "2:0:0:1", device: "sda", state: "active ready running"), .init(hctl: "3:0:0:1", device: "sdc", state: "active ready running")])
        #expect(maps[1].alias == maps[1].wwid)
        #expect(maps[1].paths.map(\.state) == ["active ready running", "failed faulty offline"])
    }

    @Test func nothingListedIsNoMaps() throws {
        #expect(try MultipathListParser.parse("").isEmpty)
    }

    /// A changed or foreign output is said, never read as "no maps" (check would call a host
    /// with healthy maps unhealthy).
    @Test func outputWithoutAMapIsSaidNotReadAsNone() {
        #expect(throws: ToolOutputError(tool: "multipath -ll", text: "no map in it (DM multipath kernel driver not loaded)")) {
            try MultipathListParser.parse("DM multipath kernel driver not loaded\n")
        }
        #expect(throws: ToolOutputError(tool: "multipath -ll", line: 1, text: "  `- 2:0:0:1 sda 8:0 active ready running")) {
            try MultipathListParser.parse("  `- 2:0:0:1 sda 8:0 active ready running\n")
        }
    }

    @Test func findmntAndIscsiadmOutputsThatAreNotTheirsAreSaid() {
        #expect(throws: ToolOutputError(tool: "findmnt --json", text: "not its JSON (findmnt: unrecognized option '--json')")) {
            try FindmntParser.parse("findmnt: unrecognized option '--json'\n")
        }
        #expect(throws: ToolOutputError(tool: "iscsiadm -m session -P 3", text: "no target in it (iscsiadm: No active sessions.)")) {
            try ISCSISessionDetailParser.parse("iscsiadm: No active sessions.\n")
        }
        #expect(throws: ToolOutputError(tool: "iscsiadm -m session -P 3", line: 2, text: "Current Portal: 10.0.0.1:3260,1")) {
            try ISCSISessionDetailParser.parse("iSCSI Transport Class version 2.0-870\nCurrent Portal: 10.0.0.1:3260,1\n")
        }
    }
}
