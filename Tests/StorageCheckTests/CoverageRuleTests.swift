import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import StorageTestSupport
import Testing

/// The migration failures admins hit that `check` used to call READY (and one false alarm).
@Suite struct CoverageRuleTests {
    static let writeback = [DomainFacts(name: "db", disks: [DiskFacts(source: "/var/lib/vmstore/db.qcow2", cache: "writeback")])]

    func cacheFindings(libvirt: String?, qemu: String?, cache: String = "writeback") -> [Finding] {
        CheckFixtures.findings { facts in
            facts["hv1"]!.domains = .known([DomainFacts(name: "db", disks: [DiskFacts(source: "/var/lib/vmstore/db.qcow2", cache: cache)])])
            facts["hv1"]!.system.libvirtVersion = libvirt.flatMap(SoftwareVersion.init).map { .known($0) } ?? .unknown("libvirtd or virtqemud is not installed (libvirt-daemon)")
            facts["hv1"]!.system.qemuVersion = qemu.flatMap(SoftwareVersion.init).map { .known($0) } ?? .unknown("qemu-system-x86_64 is not installed (qemu-system-x86)")
        }.filter { $0.check == CheckID.migrationDisksCache }
    }

    @Test func writebackMigratesWithLibvirt56AndQEMU4AndFailsBefore() {
        let modern = cacheFindings(libvirt: "9.0.0", qemu: "7.2.22")
        #expect(modern.map(\.status) == [.pass] && modern[0].message.contains("cache=writeback, safe to migrate with libvirt 9.0.0, QEMU 7.2.22"))
        let old = cacheFindings(libvirt: "4.5.0", qemu: "2.12.0")
        #expect(old.map(\.status) == [.fail] && old[0].message.contains("libvirt refuses"), "\(old)")
        // Either one old is enough to refuse.
        #expect(cacheFindings(libvirt: "6.0.0", qemu: "3.1.0").map(\.status) == [.fail])
        #expect(cacheFindings(libvirt: "5.5.0", qemu: "4.2.1").map(\.status) == [.fail])
        #expect(cacheFindings(libvirt: "5.6", qemu: "4.0").map(\.status) == [.pass])
    }

    @Test func unsafeWarnsUnknownReleasesWarnAndNoneAlwaysPasses() {
        let unsafe = cacheFindings(libvirt: "9.0.0", qemu: "7.2.22", cache: "unsafe")
        #expect(unsafe.map(\.status) == [.warn] && unsafe[0].message.contains("host crash"))
        let unknown = cacheFindings(libvirt: nil, qemu: "7.2.22")
        #expect(unknown.map(\.status) == [.warn] && unknown[0].message.contains("not installed"))
        #expect(cacheFindings(libvirt: "4.5.0", qemu: "2.12.0", cache: "none").map(\.status) == [.pass])
    }

    @Test func versionOutputsOfTheRealToolsAreRead() {
        #expect(SystemFactsParsers.libvirtVersion("libvirtd (libvirt) 9.0.0\n") == SoftwareVersion(9, 0, 0))
        #expect(SystemFactsParsers.libvirtVersion("virtqemud (libvirt) 10.10.0\n") == SoftwareVersion(10, 10, 0))
        #expect(SystemFactsParsers.qemuVersion("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n") == SoftwareVersion(7, 2, 22))
        #expect(SystemFactsParsers.qemuVersion("QEMU emulator version 8.2.0\n") == SoftwareVersion(8, 2, 0))
        // What they cannot read is nil (the collector says so), never a made-up release.
        #expect(SystemFactsParsers.libvirtVersion("") == nil && SystemFactsParsers.libvirtVersion("libvirtd: error while loading shared libraries") == nil)
        #expect(SystemFactsParsers.qemuVersion("qemu-system-x86_64: -version: invalid option") == nil)
        #expect(SoftwareVersion("10.0") ?? SoftwareVersion(0) > SoftwareVersion(9, 10, 3) && SoftwareVersion("9.0.0-rc1") == nil)
    }

    @Test func theWholeVersionIDIsCompared() {
        let same = CheckFixtures.findings { facts in for host in ["hv1", "hv2"] { facts[host]!.system.osID = "ubuntu"; facts[host]!.system.osVersion = "24.04" } }
        #expect(same.with(.migrationOS, .pass).first?.message == "every hypervisor runs ubuntu 24.04")
        let differ = CheckFixtures.findings { facts in
            facts["hv1"]!.system.osID = "ubuntu"; facts["hv1"]!.system.osVersion = "24.04"
            facts["hv2"]!.system.osID = "ubuntu"; facts["hv2"]!.system.osVersion = "24.10"
        }
        let failed = differ.failing(.migrationOS)
        #expect(failed.count == 1 && failed[0].message.contains("hv1: ubuntu 24.04; hv2: ubuntu 24.10"), "\(failed)")
    }

    func mounts(_ options: [String: String]) -> [Finding] {
        CheckFixtures.findings { facts in
            for (host, option) in options {
                facts[host]!.kernel.mounts = .known([MountFacts(target: "/var/lib/vmstore", source: "10.99.1.9:/srv/vmstore", fstype: "nfs",
                                                                 options: option.split(separator: ",").map(String.init))])
            }
        }
    }

    @Test func nfsMountOptionsThatMatterMustBeTheSameEverywhere() {
        let kernel = "rw,relatime,vers=3,rsize=131072,wsize=131072,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,mountaddr=10.99.1.9,mountvers=3,mountport=892,mountproto=udp,local_lock=none,addr=10.99.1.9"
        let same = mounts(["hv1": kernel, "hv2": kernel.replacingOccurrences(of: "relatime", with: "noatime")])
        #expect(same.with(.pathMountOptions, .pass).first?.message == "/var/lib/vmstore is mounted with the same options on every host (hard,local_lock=none,vers=3)")
        let nolock = kernel.replacingOccurrences(of: "hard", with: "hard,nolock").replacingOccurrences(of: "local_lock=none", with: "local_lock=all")
        let differ = mounts(["hv1": kernel, "hv2": nolock])
        let failed = differ.failing(.pathMountOptions)
        #expect(failed.count == 1 && failed[0].message.contains("nolock") && failed[0].fix?.contains("storagekit mount --spec c.yaml") == true, "\(failed)")
        // Two against one: the odd host alone is named.
        var spec = CheckFixtures.spec
        spec.nfs!.exports[0].clients.append("10.99.1.13")
        spec.iscsi = nil
        let three = CheckFixtures.findings(spec: spec) { facts in
            facts["hv3"] = CheckFixtures.healthy("hv1")
            facts["hv3"]!.host = "hv3"
            for (host, option) in ["hv1": kernel, "hv2": kernel, "hv3": nolock] {
                facts[host]!.kernel.mounts = .known([MountFacts(target: "/var/lib/vmstore", source: "10.99.1.9:/srv/vmstore", fstype: "nfs", options: option.split(separator: ",").map(String.init))])
            }
        }
        #expect(three.failing(.pathMountOptions).map(\.hosts) == [["hv3"]], "\(three.failing(.pathMountOptions))")
    }

    @Test func anAsyncExportWarnsWithItsPriceAndNeverFails() {
        var spec = CheckFixtures.spec
        spec.nfs!.exports[0].options = ["rw", "async", "no_root_squash", "no_subtree_check"]
        let findings = CheckFixtures.findings(spec: spec)
        let warned = findings.with(.nfsExportAsync, .warn)
        #expect(warned.count == 1 && warned[0].hosts == ["nfs"] && warned[0].message.contains("server crash can lose writes"))
        #expect(warned[0].fix == "write sync instead of async in nfs.exports[0].options, then storagekit setup nfs --spec c.yaml")
        #expect(findings.ready)
        #expect(CheckFixtures.findings().with(.nfsExportAsync, .pass).first?.message == "/srv/vmstore is exported sync")
    }

    static func fixture(_ path: String) throws -> String {
        try TestFixtures.text(path)
    }

    @Test func aDomainsOtherFilesAreReadBesideItsDisks() throws {
        let web = try LibvirtDomainParser.parse(Self.fixture("libvirt/web.xml"))
        #expect(web.name == "web")
        #expect(web.disks.map(\.source) == ["/var/lib/vmstore/web.qcow2", "/dev/mapper/vmstore-1"])
        #expect(web.disks.map(\.cache) == ["none", "none"])
        // The live <backingStore> is not a disk of its own; an empty CD-ROM drive is no file.
        #expect(web.files == [GuestFile(.nvram, "/var/lib/libvirt/qemu/nvram/web_VARS.fd"), GuestFile(.cdrom, "/var/lib/libvirt/images/debian-12.7.0-amd64-netinst.iso")])
        let appliance = try LibvirtDomainParser.parse(Self.fixture("libvirt/direct-kernel.xml"))
        #expect(appliance.files == [GuestFile(.kernel, "/var/lib/vmstore/boot/vmlinuz-6.1.0-28-amd64"), GuestFile(.initrd, "/boot/initrd.img-6.1.0-28-amd64"), GuestFile(.floppy, "/srv/floppies/drivers.img")])
    }

    @Test func xmlThatIsNotADomainIsSaidNotTakenForNoGuests() {
        #expect(throws: ToolOutputError.self) { _ = try LibvirtDomainParser.parse("<domain><name>x</name><devices>", source: "web.xml") }
        #expect(throws: ToolOutputError.self) { _ = try LibvirtDomainParser.parse("<network><name>default</name></network>", source: "default.xml") }
        #expect(throws: ToolOutputError.self) { _ = try LibvirtDomainParser.parse("error: failed to get domain 'web'", source: "virsh dumpxml web") }
    }

    @Test func qemuImgChainsAreReadNearestFirstAndGarbageIsSaid() throws {
        #expect(try QemuImgChainParser.backingFiles(Self.fixture("qemu-img/backing-chain-2.json")) == ["/var/lib/libvirt/images/debian-12-base.qcow2"])
        #expect(try QemuImgChainParser.backingFiles(Self.fixture("qemu-img/no-backing.json")).isEmpty)
        #expect(throws: ToolOutputError.self) { _ = try QemuImgChainParser.backingFiles("qemu-img: Could not open 'x': No such file or directory") }
        #expect(throws: ToolOutputError.self) { _ = try QemuImgChainParser.backingFiles("[]") }
    }

    func files(_ domain: DomainFacts) -> [Finding] {
        CheckFixtures.findings { facts in facts["hv1"]!.domains = .known([domain]) }.filter { $0.check == CheckID.migrationFilesShared }
    }

    @Test func mediaNVRAMKernelsAndBackingFilesMustBeSharedToo() {
        let disk = DiskFacts(source: "/var/lib/vmstore/web.qcow2", cache: "none", backingFiles: .known(["/var/lib/libvirt/images/base.qcow2"]))
        let local = files(DomainFacts(name: "web", disks: [disk], files: [GuestFile(.cdrom, "/var/lib/libvirt/images/install.iso"), GuestFile(.nvram, "/var/lib/vmstore/nvram/web_VARS.fd")]))
        let failed = local.filter { $0.status == .fail }
        #expect(failed.map(\.message) == [
            "web: its CD-ROM /var/lib/libvirt/images/install.iso is not under /var/lib/vmstore: the destination cannot open it and the guest cannot start there",
            "web: its backing file of /var/lib/vmstore/web.qcow2 /var/lib/libvirt/images/base.qcow2 is not under /var/lib/vmstore: the destination cannot open it and the guest cannot start there",
        ])
        #expect(failed.allSatisfy { $0.hosts == ["hv1"] } && failed[0].fix?.contains("--eject") == true && failed[1].fix?.contains("qemu-img rebase") == true)
        let shared = DiskFacts(source: "/var/lib/vmstore/web.qcow2", backingFiles: .known(["/var/lib/vmstore/base.qcow2"]))
        #expect(files(DomainFacts(name: "web", disks: [shared], files: [GuestFile(.kernel, "/var/lib/vmstore/vmlinuz")])).map(\.status) == [.pass])
        let unknown = DiskFacts(source: "/var/lib/vmstore/web.qcow2", backingFiles: .unknown("qemu-img is not installed (qemu-utils)"))
        #expect(files(DomainFacts(name: "web", disks: [unknown])).map(\.status) == [.skip])
    }

    @Test func whatLibvirtRefusesToMigrateIsReadFromTheDomain() throws {
        let gpu = try LibvirtDomainParser.parse(Self.fixture("libvirt/passthrough.xml"))
        #expect(gpu.machine == "pc-q35-8.2" && gpu.cpuMode == "custom" && gpu.cpuFeatures == ["invtsc", "avx512f"])
        #expect(gpu.blockers == [
            "a transient disk (<transient/>)", "a virtiofs share (<filesystem> with <driver type='virtiofs'>)",
            "a PCI device of the host (<hostdev>)", "a USB device of the host (<hostdev type='usb'>)",
            "the invtsc CPU feature without a TSC frequency (<timer name='tsc' frequency=…/>)",
        ])
        let fixed = try LibvirtDomainParser.parse(Self.fixture("libvirt/passthrough.xml").replacingOccurrences(of: "<timer name='rtc' tickpolicy='catchup'/>", with: "<timer name='tsc' frequency='2100000000'/>"))
        #expect(!fixed.blockers.contains { $0.contains("invtsc") })
        let web = try LibvirtDomainParser.parse(Self.fixture("libvirt/web.xml"))
        #expect(web.machine == "pc-q35-7.2" && web.cpuMode == "host-model" && web.blockers.isEmpty)
    }

    @Test func machineHelpListsEveryTypeAndAliasAndSaysWhenItCannot() throws {
        let types = try #require(SystemFactsParsers.machineTypes(Self.fixture("versions/qemu-7.2-machine-help.txt")))
        #expect(types.contains("pc-q35-7.2") && types.contains("q35") && types.contains("pc-i440fx-2.0") && !types.contains("Supported"))
        #expect(SystemFactsParsers.machineTypes("qemu-system-x86_64: -machine help: invalid option") == nil)
    }

    func guests(_ domain: DomainFacts, hv2Flags: [String]? = nil, hv2Machines: [String]? = nil, hv2QEMU: String? = nil) -> [Finding] {
        CheckFixtures.findings { facts in
            facts["hv1"]!.domains = .known([domain])
            for host in ["hv1", "hv2"] {
                facts[host]!.system.machineTypes = .known(["pc", "q35", "pc-q35-7.2", "pc-q35-8.2"])
                facts[host]!.system.qemuVersion = .known(SoftwareVersion(8, 2, 0))
            }
            if let hv2Flags { facts["hv2"]!.system.cpuFlags = hv2Flags }
            if let hv2Machines { facts["hv2"]!.system.machineTypes = .known(hv2Machines) }
            if let hv2QEMU { facts["hv2"]!.system.qemuVersion = .known(SoftwareVersion(hv2QEMU)!) }
        }
    }

    @Test func aHostCPUGuestNeedsEveryFlagOnEveryPeerANamedModelOnlyItsFeatures() {
        let passthrough = DomainFacts(name: "db", disks: [], cpuMode: "host-passthrough")
        #expect(guests(passthrough).with(.migrationGuestCPU, .pass).count == 1)
        let differ = guests(passthrough, hv2Flags: ["fpu"]).failing(.migrationGuestCPU)
        #expect(differ.map(\.hosts) == [["hv1"]] && differ[0].message == "db uses <cpu mode='host-passthrough'>: hv2 lacks vmx, so it cannot move there")
        let model = DomainFacts(name: "db", disks: [], cpuMode: "custom", cpuFeatures: ["fpu", "invtsc"])
        // vmx is not required by the model; invtsc is in no host's /proc/cpuinfo: neither fails.
        #expect(guests(model, hv2Flags: ["fpu"]).failing(.migrationGuestCPU).isEmpty)
        #expect(guests(DomainFacts(name: "db", disks: [], cpuMode: "custom", cpuFeatures: ["vmx"]), hv2Flags: ["fpu"]).failing(.migrationGuestCPU).count == 1)
    }

    /// Two real QEMU releases: Debian 12's 7.2 (hv2) and Ubuntu 24.04's 8.2.2 (hv1), whose
    /// default q35 is Ubuntu's own pc-q35-noble.
    @Test func ubuntusMachineTypesDoNotExistInDebiansQEMU() throws {
        let debian = try #require(SystemFactsParsers.machineTypes(Self.fixture("versions/qemu-7.2-machine-help.txt")))
        let ubuntu = try #require(SystemFactsParsers.machineTypes(Self.fixture("versions/qemu-8.2-ubuntu-machine-help-q35.txt")))
        let ubuntuQEMU = try #require(SystemFactsParsers.qemuVersion(Self.fixture("versions/qemu-system-x86_64-8.2-ubuntu.txt")))
        let debianQEMU = try #require(SystemFactsParsers.qemuVersion(Self.fixture("versions/qemu-system-x86_64-7.2.txt")))
        #expect(ubuntuQEMU == SoftwareVersion(8, 2, 2) && ubuntu.contains("pc-q35-noble") && ubuntu.contains("pc-q35-7.2"))
        func judged(_ machine: String) -> [Finding] {
            CheckFixtures.findings { facts in
                facts["hv1"]!.domains = .known([DomainFacts(name: "web", disks: [], machine: machine)])
                facts["hv1"]!.system.machineTypes = .known(ubuntu)
                facts["hv1"]!.system.qemuVersion = .known(ubuntuQEMU)
                facts["hv2"]!.system.machineTypes = .known(debian)
                facts["hv2"]!.system.qemuVersion = .known(debianQEMU)
            }
        }
        let noble = judged("pc-q35-noble")
        #expect(noble.failing(.migrationGuestMachine).map(\.message) == ["web: machine type pc-q35-noble is not offered by QEMU on hv2: qemu cannot start it there"])
        #expect(noble.with(.migrationGuestMachine, .warn).first?.message.hasPrefix("QEMU releases differ (hv1 8.2.2, hv2 \(debianQEMU))") == true)
        // A versioned type both offer moves (the release difference still warns).
        #expect(judged("pc-q35-7.2").failing(.migrationGuestMachine).isEmpty && judged("pc-q35-7.2").with(.migrationGuestMachine, .pass).count == 1)
    }

    @Test func aMachineTypeAPeersQEMULacksFailsAndOlderQEMUWarns() {
        let guest = DomainFacts(name: "db", disks: [], machine: "pc-q35-8.2")
        #expect(guests(guest).with(.migrationGuestMachine, .pass).first?.message == "db: machine type pc-q35-8.2 is offered by every hypervisor's QEMU")
        let lacking = guests(guest, hv2Machines: ["pc", "q35", "pc-q35-7.2"], hv2QEMU: "7.2.22")
        #expect(lacking.failing(.migrationGuestMachine).map(\.message) == ["db: machine type pc-q35-8.2 is not offered by QEMU on hv2: qemu cannot start it there"])
        let older = lacking.with(.migrationGuestMachine, .warn)
        #expect(older.map(\.hosts) == [["hv2"]] && older[0].message.hasPrefix("QEMU releases differ (hv1 8.2.0, hv2 7.2.22)"))
    }

    @Test func blockersWarnNamingTheGuestAndNeverFail() {
        let findings = guests(DomainFacts(name: "gpu", disks: [], blockers: ["a PCI device of the host (<hostdev>)", "2 snapshots"]))
        let warned = findings.with(.migrationGuestBlockers, .warn)
        #expect(warned.map(\.message) == ["gpu: libvirt will not live-migrate it with a PCI device of the host (<hostdev>), 2 snapshots"])
        #expect(findings.ready)
    }

    @Test func qemuConfsMigrationPortsAreReadWithLibvirtsDefaults() throws {
        let debian = "# Master configuration file for the QEMU driver.\n#\n#migration_port_min = 49152\n#migration_port_max = 49215\n\nsecurity_driver = [ \"selinux\",\n    \"apparmor\" ]\nuser = \"libvirt-qemu\"\n"
        #expect(try LibvirtQemuConf.migration(debian).ports == PortRange(49152, 49215))
        #expect(try LibvirtQemuConf.migration("migration_port_min = 50000\nmigration_port_max = 50100 # wider\n").ports == PortRange(50000, 50100))
        #expect(throws: ToolOutputError.self) { _ = try LibvirtQemuConf.migration("migration_port_max = lots\n") }
        #expect(throws: ToolOutputError.self) { _ = try LibvirtQemuConf.migration("migration_port_min = 50000\nmigration_port_max = 49999\n") }
        #expect(throws: ToolOutputError.self) { _ = try LibvirtQemuConf.migration("this is not qemu.conf\n") }
    }

    @Test func aMigrationRangeWiderThanTheFirewallsFailsOnThatHost() {
        var spec = CheckFixtures.spec
        spec.firewall.manage = true
        let findings = CheckFixtures.findings(spec: spec) { facts in
            facts["hv1"]!.system.migrationPortRange = .known(PortRange(49152, 49215))
            facts["hv2"]!.system.migrationPortRange = .known(PortRange(49152, 49300))
        }
        #expect(findings.failing(.migrationPortRange).map(\.hosts) == [["hv2"]])
        #expect(findings.with(.migrationPortRange, .pass).map(\.hosts) == [["hv1"]])
        // Without firewall.manage the ports are the admin's firewall's business.
        #expect(CheckFixtures.findings { facts in facts["hv2"]!.system.migrationPortRange = .known(PortRange(49152, 49300)) }.failing(.migrationPortRange).isEmpty)
    }

    func address(_ seen: MigrationAddressFacts) -> [Finding] {
        CheckFixtures.findings { facts in facts["hv2"]!.system.migrationAddress = .known(seen) }.filter { $0.check == CheckID.migrationAddress && $0.hosts == ["hv2"] }
    }

    @Test func aPeerMustReachTheHostByItsNameOnTheStorageNetwork() {
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: ["10.99.1.12"])).map(\.status) == [.pass])
        let debian = address(MigrationAddressFacts(hostname: "hv2", resolved: ["127.0.1.1"]))
        #expect(debian.map(\.status) == [.fail] && debian[0].message.contains("loopback") && debian[0].fix?.contains("`10.99.1.12 hv2` in /etc/hosts") == true)
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: [])).first?.message == "its host name hv2 does not resolve: libvirt puts it in the migration URI, and peers cannot connect")
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: ["192.0.2.12"])).first?.message.contains("on none of the spec's networks") == true)
        // migration_host decides instead of the name; migration_address must be its own.
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: ["127.0.1.1"], migrationHost: "10.99.1.12")).map(\.status) == [.pass])
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: ["10.99.1.12"], migrationHost: "10.99.1.99")).map(\.status) == [.fail])
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: ["10.99.1.12"], listenAddress: "127.0.0.1")).map(\.status) == [.fail])
        #expect(address(MigrationAddressFacts(hostname: "hv2", resolved: ["10.99.1.12"], listenAddress: "0.0.0.0")).map(\.status) == [.pass])
    }

    @Test func getentAndQemuConfAddressesAreRead() throws {
        #expect(SystemFactsParsers.resolvedAddresses("127.0.1.1       STREAM hv2\n127.0.1.1       DGRAM  \n127.0.1.1       RAW    \n10.99.1.12      STREAM hv2\n") == ["127.0.1.1", "10.99.1.12"])
        #expect(SystemFactsParsers.resolvedAddresses("").isEmpty)
        let conf = try LibvirtQemuConf.migration("#migration_address = \"0.0.0.0\"\nmigration_host = \"10.99.1.12\"\n")
        #expect(conf.host == "10.99.1.12" && conf.listen == nil)
    }
}
