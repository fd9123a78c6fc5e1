import StorageModel
import Testing

@Suite struct ValueParsingTests {
    @Test func ipv4() {
        #expect(IPv4Address("10.20.0.5")?.description == "10.20.0.5")
        for bad in ["10.20.0.300", "10.20.0", "10.20.0.5.1", "010.1.1.1", "a.b.c.d", "", "1.2.3.-4"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
        let network = IPv4Network("10.20.0.0/24")!
        #expect(network.contains(IPv4Address("10.20.0.200")!))
        #expect(!network.contains(IPv4Address("10.20.1.1")!))
        #expect(IPv4Network("10.20.0.5/24")?.isNetworkAddress == false)
        #expect(IPv4Network("10.20.0.0/33") == nil)
        #expect(IPv4Network("0.0.0.0/0")?.contains(IPv4Address("1.2.3.4")!) == true)
    }

    @Test func iqn() {
        #expect(IQN.problem("iqn.2026-11.org.example.san1:vmstore") == nil)
        #expect(IQN.problem("iqn.2005-03.org.open-iscsi:1a2b3c") == nil)
        #expect(IQN.problem("eui.02004567A425678D") == nil)
        #expect(IQN.problem("eui.0200") != nil)
        #expect(IQN.problem("iqn.2026-11..example") != nil)
        #expect(IQN.problem("iqn." + String(repeating: "a", count: 230)) != nil)
    }

    @Test(arguments: [("6G", UInt64(6) << 30), ("512M", 512 << 20), ("1T", 1 << 40), ("10GiB", 10 << 30), ("4096", 4096), ("2k", 2048)])
    func sizes(_ text: String, _ bytes: UInt64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "0", "6X", "-1", "G", "1.5G", "99999999999T"])
    func badSizes(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func portals() {
        #expect(Portal("10.20.0.5") == Portal(address: "10.20.0.5", port: 3260))
        #expect(Portal("10.20.0.5:3261")?.port == 3261)
        #expect(Portal("10.20.0.5:0") == nil)
        #expect(Portal("san1:3260") == nil)
    }

    @Test func suggestions() {
        #expect(suggestion(for: "adress", among: ["address", "addresses", "roles"]) == "address")
        #expect(suggestion(for: "zzzzzz", among: ["address", "roles"]) == nil)
    }

    @Test(arguments: [("/var/lib/vmstore", "var-lib-vmstore"), ("/mnt/my storage", "mnt-my\\x20storage"), ("/", "-"),
                      ("/a.b/c-d", "a.b-c\\x2dd"), ("/srv/vmstore/", "srv-vmstore"), ("/.hidden", "\\x2ehidden")])
    func systemdEscape(_ path: String, _ escaped: String) {
        #expect(SystemdEscape.path(path) == escaped)
    }
}
