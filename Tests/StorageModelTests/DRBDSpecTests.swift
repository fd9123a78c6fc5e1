import StorageModel
import Testing

/// `drbd:` read, defaulted and validated: each rule names its field, line and fix.
@Suite struct DRBDSpecTests {
    /// hv1/hv2 mirror r0 over their second NIC; san1 is no hypervisor. Line numbers matter.
    static let base = """
        cluster: dr
        mountPath: /var/lib/xen/images
        network: [10.20.0.0/24, 10.20.5.0/24]
        hosts:
          - name: hv1
            addresses: [10.20.0.31, 10.20.5.31]
            roles: [hypervisor]
          - name: hv2
            addresses: [10.20.0.32, 10.20.5.32]
            roles: [hypervisor]
          - name: san1
            address: 10.20.0.5
            roles: [iscsi-target]
        drbd:
          disableSendpage: true
          resources:
            - name: r0
              device: /dev/drbd0
              disk: /dev/vdb
              port: 7900
              hosts:
                - {name: hv1, address: 10.20.5.31}
                - {name: hv2, address: 10.20.5.32}
        firewall: {manage: true}
        migration: {hypervisor: xen}

        """

    static func yaml(_ edits: [(String, String)]) -> String {
        var text = base
        for (old, new) in edits {
            precondition(text.contains(old), "fixture has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    static func diagnostics(_ edits: (String, String)...) throws -> [Diagnostic] {
        try SpecFixture.validate(yaml(edits))
    }

    static func spec(_ edits: (String, String)...) throws -> ClusterSpec {
        try SpecLoader.load(yaml: yaml(edits)).spec
    }

    static let second = """
                - {name: hv2, address: 10.20.5.32}
            - name: r1
              device: /dev/drbd1
              disk: /dev/vdc
              port: 7901
              hosts: [{name: hv1}, {name: hv2}]
        """

    @Test func theBaseIsValidWithOnlyTheDualPrimaryWarning() throws {
        let diagnostics = try Self.diagnostics()
        #expect(diagnostics.errors == [])
        let warning = diagnostics.at("drbd.resources[0].allowTwoPrimaries", .warning)
        #expect(warning?.line == 17)
        #expect(warning?.message.hasPrefix("both hosts may write /dev/drbd0 at once: safe only with a cluster filesystem (GFS2, OCFS2) on it, or one guest per resource") == true)
        #expect(diagnostics.count == 1)
    }

    @Test func defaultsAreDualPrimaryProtocolCInternalMetaDataAndTheUsualSplitBrainPolicies() throws {
        let spec = try Self.spec(("      port: 7900\n", ""), ("- {name: hv1, address: 10.20.5.31}", "- {name: hv1}"))
        let resource = try #require(spec.drbd?.resources.first)
        #expect(resource.port == 7789)
        #expect(resource.metaDisk == "internal")
        #expect(resource.protocol == .c)
        #expect(resource.allowTwoPrimaries)
        #expect(resource.verifyAlg == nil)
        #expect([resource.afterSb0pri.rawValue, resource.afterSb1pri.rawValue, resource.afterSb2pri.rawValue]
                == ["discard-zero-changes", "discard-secondary", "disconnect"])
        #expect(resource.minor == 0)
        // No `address`: the host's first one.
        #expect(spec.drbdAddress(of: resource.hosts[0]) == "10.20.0.31")
        #expect(spec.drbdAddress(of: resource.hosts[1]) == "10.20.5.32")
        #expect(spec.drbd?.disableSendpage == true)
        #expect(try Self.spec(("  disableSendpage: true\n", "")).drbd?.disableSendpage == false)
    }

    @Test func helpersNameTheResourcesAndThePeerOfAHost() throws {
        let spec = try Self.spec(("        - {name: hv2, address: 10.20.5.32}", Self.second))
        #expect(spec.drbdResources(of: "hv1").map(\.name) == ["r0", "r1"])
        #expect(spec.drbdResources(of: "san1").isEmpty)
        let r0 = spec.drbd!.resources[0]
        #expect(spec.drbdPeer(of: "hv1", in: r0)?.name == "hv2")
        #expect(spec.drbdPeer(of: "hv2", in: r0)?.name == "hv1")
        #expect(spec.drbdPeer(of: "san1", in: r0) == nil)
        #expect(spec.drbdDiskSources(of: r0) == ["/dev/drbd0", "/dev/drbd/by-res/r0", "/dev/drbd/by-res/r0/0", "drbd:r0"])
    }

    @Test func theReplicationPortIsOpenToThePeerAlone() throws {
        let spec = try Self.spec()
        let hv1 = FirewallPolicy.openings(for: spec.host(named: "hv1")!, in: spec).filter { $0.port == 7900 }
        #expect(hv1 == [PortOpening(.tcp, 7900, service: "drbd-r0", from: "10.20.5.32")])
        let hv2 = FirewallPolicy.openings(for: spec.host(named: "hv2")!, in: spec).filter { $0.port == 7900 }
        #expect(hv2.map(\.source) == ["10.20.5.31"])
        #expect(FirewallPolicy.openings(for: spec.host(named: "san1")!, in: spec).isEmpty)
    }

    @Test func aResourceMirrorsBetweenExactlyTwoDistinctSpecHosts() throws {
        let three = try Self.diagnostics(("- {name: hv2, address: 10.20.5.32}", "- {name: hv2, address: 10.20.5.32}\n        - {name: san1}"))
        #expect(three.at("drbd.resources[0].hosts")?.message == "lists 3 host(s): a resource mirrors between exactly two")
        #expect(three.at("drbd.resources[0].hosts")?.line == 21)
        #expect(three.at("drbd.resources[0].hosts[2].name", .warning)?.message == "san1 is not a hypervisor: no guest there can use /dev/drbd0")

        let typo = try Self.diagnostics(("{name: hv2, address: 10.20.5.32}", "{name: hv3, address: 10.20.5.32}"))
        #expect(typo.at("drbd.resources[0].hosts[1].name")?.message == "\"hv3\" is not a host in hosts")
        #expect(typo.at("drbd.resources[0].hosts[1].name")?.fix == "did you mean \"hv1\"?")
        #expect(typo.at("drbd.resources[0].hosts[1].name")?.line == 23)

        let twice = try Self.diagnostics(("{name: hv2, address: 10.20.5.32}", "{name: hv1}"))
        #expect(twice.at("drbd.resources[0].hosts[1].name")?.message == "hv1 is already drbd.resources[0].hosts[0]: DRBD mirrors between two different hosts")
        #expect(twice.errors.count == 1, "the same host twice is one error, not a port or disk clash with itself: \(twice)")

        let none = try Self.diagnostics(("      hosts:\n        - {name: hv1, address: 10.20.5.31}\n        - {name: hv2, address: 10.20.5.32}\n", ""))
        #expect(none.at("drbd.resources[0].hosts")?.message == "is required")
    }

    @Test func theAddressMustBeOneOfTheHosts() throws {
        let elsewhere = try Self.diagnostics(("{name: hv2, address: 10.20.5.32}", "{name: hv2, address: 10.20.5.31}"))
        let error = elsewhere.at("drbd.resources[0].hosts[1].address")
        #expect(error?.message == "10.20.5.31 is not an address of hv2 (10.20.0.32, 10.20.5.32): drbdadm refuses an address the host does not have")
        #expect(error?.line == 23)
        let bad = try Self.diagnostics(("{name: hv2, address: 10.20.5.32}", "{name: hv2, address: 10.20.5.320}"))
        #expect(bad.at("drbd.resources[0].hosts[1].address")?.message == "\"10.20.5.320\" is not an IPv4 address")
    }

    @Test(arguments: ["/dev/sdb", "/dev/drbd", "/dev/drbdx", "/dev/drbd01", "drbd0", "/dev/drbd1048576"])
    func theDeviceIsDevDrbdN(_ device: String) throws {
        let error = try Self.diagnostics(("device: /dev/drbd0", "device: \(device)")).at("drbd.resources[0].device")
        #expect(error?.message.hasSuffix("is not a DRBD device: write /dev/drbdN with N from 0 to 1048575") == true)
        #expect(error?.line == 18)
    }

    @Test func devicesNamesPortsAndDisksAreUnique() throws {
        let clash = try Self.diagnostics(("        - {name: hv2, address: 10.20.5.32}", Self.second
            .replacingOccurrences(of: "name: r1", with: "name: r0").replacingOccurrences(of: "/dev/drbd1", with: "/dev/drbd0")
            .replacingOccurrences(of: "port: 7901", with: "port: 7900").replacingOccurrences(of: "/dev/vdc", with: "/dev/vdb")))
        #expect(clash.at("drbd.resources[1].name")?.message == "r0 is already drbd.resources[0]")
        #expect(clash.at("drbd.resources[1].device")?.message == "/dev/drbd0 is already drbd.resources[0]'s device: two resources cannot share a minor")
        #expect(clash.at("drbd.resources[1].device")?.fix == "use the next free one, e.g. /dev/drbd1")
        #expect(clash.at("drbd.resources[1].port")?.message == "7900 on hv1 is already drbd.resources[0]'s port: each resource needs its own")
        #expect(clash.at("drbd.resources[1].disk")?.message == "/dev/vdb on hv1 already backs drbd.resources[0]: two resources on one disk overwrite each other")
        #expect(clash.at("drbd.resources[1].port")?.line == 27)
        #expect(try Self.diagnostics(("        - {name: hv2, address: 10.20.5.32}", Self.second)).errors == [])
    }

    @Test func thePortIsInRangeAndNobodyElses() throws {
        #expect(try Self.diagnostics(("port: 7900", "port: 70000")).at("drbd.resources[0].port")?.message == "70000 is not a port (1-65535)")
        #expect(try Self.diagnostics(("port: 7900", "port: 22")).at("drbd.resources[0].port")?.message == "22 is ssh's port")
        let relocation = try Self.diagnostics(("port: 7900", "port: 8002")).at("drbd.resources[0].port")
        #expect(relocation?.message == "8002 on hv1 is also xen-relocation's port (8002)")
        let libvirt = try Self.diagnostics(("port: 7900", "port: 49160"), ("hypervisor: xen", "hypervisor: kvm"))
        #expect(libvirt.at("drbd.resources[0].port")?.message == "49160 on hv1 is also qemu-migration's port (49152:49215)")
    }

    @Test func twoPrimariesNeedProtocolC() throws {
        let diagnostics = try Self.diagnostics(("      port: 7900", "      port: 7900\n      protocol: A"))
        #expect(diagnostics.at("drbd.resources[0].protocol")?.message == "A with allowTwoPrimaries: two Primaries need synchronous replication")
        #expect(diagnostics.at("drbd.resources[0].protocol")?.fix == "use `protocol: C` (the default)")
        let single = try Self.diagnostics(("      port: 7900", "      port: 7900\n      protocol: A\n      allowTwoPrimaries: false"))
        #expect(single.errors == [])
        #expect(single.at("drbd.resources[0].allowTwoPrimaries", .warning)?.message.contains("live migration will fail") == true)
        #expect(!single.contains { $0.message.hasPrefix("both hosts may write") })
    }

    @Test(arguments: [("all", "is what drbdadm calls every resource"), ("r 0", "must be letters, digits and + - . _ only (it names /etc/drbd.d/<name>.res)"),
                      ("-r0", "must not start with - (drbdadm would read it as an option)"), ("vm/disk", "must be letters, digits and + - . _ only (it names /etc/drbd.d/<name>.res)")])
    func resourceNames(_ name: String, _ problem: String) throws {
        let error = try Self.diagnostics(("- name: r0", "- name: \"\(name)\"")).at("drbd.resources[0].name")
        #expect(error?.message == "\"\(name)\" \(problem)")
        #expect(error?.line == 17)
    }

    @Test func theDiskIsABlockDevice() throws {
        let file = try Self.diagnostics(("disk: /dev/vdb", "disk: /srv/r0.img")).at("drbd.resources[0].disk")
        #expect(file?.message == "/srv/r0.img is not under /dev: DRBD mirrors a block device, not a file")
        #expect(try Self.diagnostics(("disk: /dev/vdb", "disk: vdb")).at("drbd.resources[0].disk")?.message == "\"vdb\" is not an absolute path")
        let meta = try Self.diagnostics(("disk: /dev/vdb", "disk: /dev/vdb\n      metaDisk: /dev/vdb"))
        #expect(meta.at("drbd.resources[0].metaDisk")?.message == "is the data disk itself")
        #expect(try Self.diagnostics(("disk: /dev/vdb", "disk: /dev/vdb\n      metaDisk: /dev/vdc1")).errors == [])
    }

    @Test func keysAndPoliciesAreSpelledRight() throws {
        let diagnostics = try Self.diagnostics(("      port: 7900", "      port: 7900\n      alowTwoPrimaries: true\n      afterSb2pri: discard-secondary"))
        #expect(diagnostics.at("drbd.resources[0].alowTwoPrimaries")?.fix == "did you mean \"allowTwoPrimaries\"?")
        let policy = diagnostics.at("drbd.resources[0].afterSb2pri")
        #expect(policy?.message == "\"discard-secondary\" is not one of: disconnect | violently-as0p | call-pri-lost-after-sb")
        #expect(policy?.line == 22)
        let violent = try Self.diagnostics(("      port: 7900", "      port: 7900\n      afterSb2pri: violently-as0p"))
        #expect(violent.at("drbd.resources[0].afterSb2pri", .warning)?.message == "violently-as0p silently throws away one Primary's writes after a split brain")
        #expect(try Self.diagnostics(("      port: 7900", "      port: 7900\n      verifyAlg: \"sha 1\"")).at("drbd.resources[0].verifyAlg")?.message
                == "\"sha 1\" is not a kernel hash name")
    }

    @Test func xenWithoutDisableSendpageIsWarned() throws {
        let diagnostics = try Self.diagnostics(("  disableSendpage: true\n", ""))
        #expect(diagnostics.errors == [])
        #expect(diagnostics.at("drbd.disableSendpage", .warning)?.fix == "add `disableSendpage: true` under drbd:")
        let kvm = try Self.diagnostics(("  disableSendpage: true\n", ""), ("hypervisor: xen", "hypervisor: kvm"))
        #expect(!kvm.contains { $0.path == "drbd.disableSendpage" })
    }

    @Test func drbdAloneIsSharedStorageButNothingAtAllIsNot() throws {
        #expect(try Self.diagnostics().errors.isEmpty)
        let bare = try SpecFixture.validate(Self.base.components(separatedBy: "drbd:\n")[0] + "firewall: {manage: true}\n")
        #expect(bare.at("")?.message == "the spec has none of `nfs:`, `iscsi:` or `drbd:`: there is no shared storage to set up")
        let empty = try Self.diagnostics(("""
              resources:
                - name: r0
                  device: /dev/drbd0
                  disk: /dev/vdb
                  port: 7900
                  hosts:
                    - {name: hv1, address: 10.20.5.31}
                    - {name: hv2, address: 10.20.5.32}

            """, "  resources: []\n"))
        #expect(empty.at("drbd.resources")?.message == "is required")
    }
}
