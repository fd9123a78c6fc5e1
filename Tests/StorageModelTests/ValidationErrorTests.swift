import StorageModel
import Testing

/// Each error of the spec reference: field path, line in the file, what is wrong, and the fix.
@Suite struct ValidationErrorTests {
    @Test func unknownKeysSayWhatWasMeant() throws {
        let diagnostics = try SpecFixture.diagnostics(
            ("mountPath:", "mountPth:"), ("    roles: [nfs-server]", "    role: [nfs-server]"),
            ("statdOutgoing:", "statdOutgoin:"), ("          size: 6G", "          sise: 6G"))
        let top = diagnostics.at("mountPth")
        #expect(top?.line == 3)
        #expect(top?.message == "unknown key \"mountPth\"")
        #expect(top?.fix == "did you mean \"mountPath\"?")
        #expect(diagnostics.at("hosts[1].role")?.fix == "did you mean \"roles\"?")
        #expect(diagnostics.at("hosts[1].role")?.line == 11)
        #expect(diagnostics.at("nfs.ports.statdOutgoin")?.line == 25)
        #expect(diagnostics.at("iscsi.targets[0].luns[0].sise")?.fix == "did you mean \"size\"?")
        #expect(diagnostics.at("iscsi.targets[0].luns[0].sise")?.line == 36)
        // The key itself is gone, so mountPath is also missing.
        #expect(diagnostics.at("mountPath")?.message == "is required")
    }

    @Test func everyErrorIsReportedAtOnce() throws {
        let diagnostics = try SpecFixture.diagnostics(
            ("address: 10.20.0.11", "address: 10.0.0.300"), ("- name: hv2", "- name: hv1"),
            ("iqn: iqn.2026-11.lab.san1:vmstore", "iqn: iqn.26-11.lab.san1:vmstore"),
            ("size: 6G", "size: 6X"), ("mountPath: /var/lib/vmstore", "mountPath: var/lib/vmstore"))
        #expect(diagnostics.errors.count >= 5)
        #expect(Set(diagnostics.errors.map(\.path)).isSuperset(of: [
            "hosts[2].address", "hosts[3].name", "iscsi.targets[0].iqn", "iscsi.targets[0].luns[0].size", "mountPath",
        ]))
        // In file order.
        let lines = diagnostics.compactMap(\.line)
        #expect(lines == lines.sorted())
    }

    @Test func aBadAddressNamesTheFieldAndTheLine() throws {
        let error = try SpecFixture.diagnostics(("address: 10.20.0.11", "address: 10.0.0.300")).at("hosts[2].address")
        #expect(error?.line == 13)
        #expect(error?.message == "\"10.0.0.300\" is not an IPv4 address")
        #expect(error?.formatted(file: "spec.yaml").hasPrefix("spec.yaml:13: hosts[2].address: \"10.0.0.300\" is not an IPv4 address") == true)
    }

    @Test func duplicateHostNamesAndAddresses() throws {
        let diagnostics = try SpecFixture.diagnostics(("- name: hv2", "- name: hv1"), ("address: 10.20.0.12", "address: 10.20.0.11"))
        #expect(diagnostics.at("hosts[3].name")?.message == "\"hv1\" is already the name of hosts[2]")
        #expect(diagnostics.at("hosts[3].name")?.line == 15)
        #expect(diagnostics.at("hosts[3].address")?.message == "10.20.0.11 is already used by hosts[2] (hv1)")
        #expect(diagnostics.at("hosts[3].address")?.line == 16)
    }

    @Test(arguments: [
        ("iqn.26-11.lab.san1:vmstore", "needs a date YYYY-MM"),
        ("iqn.2026-11.Lab.San1:vmstore", "must be lower case"),
        ("iqn.2026-11.lab.san1:vm store", "contains \" \""),
        ("iqn.2026-13.lab.san1:vmstore", "needs a date YYYY-MM"),
        ("san1:vmstore", "must start with \"iqn.\""),
        ("iqn.2026-11", "needs a reversed domain"),
    ])
    func badTargetIQNs(_ iqn: String, _ problem: String) throws {
        let error = try SpecFixture.diagnostics(("iqn: iqn.2026-11.lab.san1:vmstore", "iqn: \"\(iqn)\"")).at("iscsi.targets[0].iqn")
        #expect(error?.line == 29)
        #expect(error?.message.contains(problem) == true, "\(String(describing: error?.message))")
    }

    @Test func badInitiatorNamesOnHostsAndInACLs() throws {
        let diagnostics = try SpecFixture.diagnostics(
            ("    address: 10.20.0.11\n", "    address: 10.20.0.11\n    initiatorName: IQN.2026-11.lab:hv1\n"),
            ("initiators: [hv1, hv2]", "initiators: [hv1, hv2, iqn.2026.bad]"))
        #expect(diagnostics.at("hosts[2].initiatorName")?.line == 14)
        #expect(diagnostics.at("iscsi.targets[0].initiators[2]")?.line == 32)
        #expect(diagnostics.at("iscsi.targets[0].initiators[2]")?.message.contains("needs a date") == true)
    }

    @Test func duplicateInitiatorNamesBetweenHypervisors() throws {
        let diagnostics = try SpecFixture.diagnostics(
            ("    address: 10.20.0.11\n", "    address: 10.20.0.11\n    initiatorName: iqn.2026-11.lab:hv\n"),
            ("    address: 10.20.0.12\n", "    address: 10.20.0.12\n    initiatorName: iqn.2026-11.lab:hv\n"))
        let error = diagnostics.at("hosts[3].initiatorName")
        #expect(error?.line == 18)
        #expect(error?.message.contains("is also hosts[2]'s") == true)
    }

    @Test func badNetworksAndHostBits() throws {
        let diagnostics = try SpecFixture.diagnostics(("network: 10.20.0.0/24", "network: [10.20.0.0/33, 10.20.0.5/24]"))
        #expect(diagnostics.at("network[0]")?.message == "\"10.20.0.0/33\" is not an IPv4 network in CIDR form")
        #expect(diagnostics.at("network[1]")?.fix == "did you mean 10.20.0.0/24?")
        #expect(diagnostics.at("network[1]")?.line == 4)
        let client = try SpecFixture.diagnostics(("clients: [10.20.0.11, 10.20.0.12]", "clients: [10.20.0.0/24, 10.20.300.0/24]"))
        #expect(client.at("nfs.exports[0].clients[1]")?.line == 22)
    }

    @Test func portsOutOfRangeAndColliding() throws {
        let diagnostics = try SpecFixture.diagnostics(("mountd: 892, statd: 662", "mountd: 2049, statd: 111"), ("rquotad: 875", "rquotad: 70000"),
            ("lockdUdp: 32769", "lockdUdp: 2020"))
        #expect(diagnostics.at("nfs.ports.mountd")?.message == "2049 is the NFS port itself")
        #expect(diagnostics.at("nfs.ports.statd")?.message == "111 is already rpcbind's port")
        #expect(diagnostics.at("nfs.ports.rquotad")?.message == "70000 is not a port (1-65535)")
        #expect(diagnostics.at("nfs.ports.lockdUdp")?.message == "2020 is already statdOutgoing's port")
        #expect(diagnostics.at("nfs.ports.mountd")?.line == 25)
    }

    @Test func serversMustBeHostsWithTheRightRole() throws {
        let missing = try SpecFixture.diagnostics(("server: nfs1", "server: nfs2"))
        #expect(missing.at("nfs.server")?.message == "\"nfs2\" is not a host in hosts")
        #expect(missing.at("nfs.server")?.fix == "did you mean \"nfs1\"?")
        #expect(missing.at("nfs.server")?.line == 19)
        let wrongRole = try SpecFixture.diagnostics(("server: san1\n      initiators", "server: hv1\n      initiators"))
        #expect(wrongRole.at("iscsi.targets[0].server")?.message == "host hv1 does not have the role iscsi-target")
        #expect(wrongRole.at("iscsi.targets[0].server")?.fix == "add iscsi-target to hosts[2].roles")
        #expect(wrongRole.at("iscsi.targets[0].server")?.line == 30)
    }

    @Test(arguments: [
        ("path: /srv/vmstore", "path: srv/vmstore", "nfs.exports[0].path", 21, "is not an absolute path"),
        ("path: /srv/vmstore", "path: /srv/../etc", "nfs.exports[0].path", 21, "contains \".\" or \"..\""),
        ("backingStore: /srv/iscsi/vmstore.img", "backingStore: ../vmstore.img", "iscsi.targets[0].luns[0].backingStore", 35, "is not an absolute path"),
        ("backingStore: /srv/iscsi/vmstore.img", "backingStore: /srv/iscsi/../../x.img", "iscsi.targets[0].luns[0].backingStore", 35, "contains"),
        ("secretFile: /etc/storagekit/vmstore.chap", "secretFile: vmstore.chap", "iscsi.targets[0].chap.secretFile", 32, "is not an absolute path"),
        ("mountPath: /var/lib/vmstore", "mountPath: vmstore", "mountPath", 3, "is not an absolute path"),
        ("mountPath: /var/lib/vmstore", "mountPath: /proc/vmstore", "mountPath", 3, "is under /proc"),
        ("mountPath: /var/lib/vmstore", "mountPath: /sys/x", "mountPath", 3, "is under /sys"),
        ("mountPath: /var/lib/vmstore", "mountPath: /dev/shm/vm", "mountPath", 3, "is under /dev"),
        ("mountPath: /var/lib/vmstore", "mountPath: \"/var/lib/vm store\"", "mountPath", 3, "contains a space"),
    ])
    func badPaths(_ old: String, _ new: String, _ path: String, _ line: Int, _ problem: String) throws {
        let error = try SpecFixture.diagnostics((old, new)).at(path)
        #expect(error?.line == line)
        #expect(error?.message.contains(problem) == true, "\(String(describing: error?.message))")
    }

    @Test func exportOptionsThatContradictOrAreUnknown() throws {
        let diagnostics = try SpecFixture.diagnostics(("options: [rw, sync, no_root_squash, no_subtree_check]",
                                                       "options: [rw, ro, sync, async, no_root_sqash, no_subtree_check]"))
        let contradictions = diagnostics.filter { $0.path == "nfs.exports[0].options" && $0.severity == .error }.map(\.message)
        #expect(contradictions.contains("sets both rw and ro"))
        #expect(contradictions.contains("sets both sync and async"))
        let unknown = diagnostics.at("nfs.exports[0].options[4]")
        #expect(unknown?.message == "\"no_root_sqash\" is not an export option exportfs knows")
        #expect(unknown?.fix == "did you mean \"no_root_squash\"?")
        #expect(unknown?.line == 23)
    }

    @Test func lunNumbersDuplicatedOrZero() throws {
        let duplicate = try SpecFixture.diagnostics(("          size: 6G\n", "          size: 6G\n        - lun: 1\n          backingStore: /srv/iscsi/b.img\n          size: 1G\n"))
        #expect(duplicate.at("iscsi.targets[0].luns[1].lun")?.message == "LUN 1 is already iscsi.targets[0].luns[0]")
        #expect(duplicate.at("iscsi.targets[0].luns[1].lun")?.line == 37)
        let zero = try SpecFixture.diagnostics(("- lun: 1", "- lun: 0"))
        #expect(zero.at("iscsi.targets[0].luns[0].lun")?.message.contains("out of range 1-255") == true)
    }

    @Test func unparsableSizes() throws {
        let error = try SpecFixture.diagnostics(("size: 6G", "size: 6X")).at("iscsi.targets[0].luns[0].size")
        #expect(error?.message == "\"6X\" is not a size")
        #expect(error?.fix == "write it like 6G, 512M or 1T")
        #expect(error?.line == 36)
    }

    @Test func serialsDuplicatedAcrossTheWholeSpec() throws {
        let text = SpecFixture.yaml([
            ("          size: 6G\n", "          size: 6G\n          serial: SK-ONE\n"),
            ("  multipath:", """
                    - iqn: iqn.2026-11.lab.san1:other
                      server: san1
                      initiators: [hv1, hv2]
                      luns:
                        - {lun: 1, backingStore: /srv/iscsi/other.img, size: 1G, serial: SK-ONE}
                  multipath:
                """),
        ])
        let error = try SpecFixture.validate(text).at("iscsi.targets[1].luns[0].serial")
        #expect(error?.message.contains("serial SK-ONE is also iscsi.targets[0].luns[0]'s") == true)
        #expect(error?.line == 42)
    }

    @Test func chapSecretFileMissingIsAnErrorAndReadableByOthersAWarning() throws {
        let missing = try SpecFixture.diagnostics(secret: .missing).at("iscsi.targets[0].chap.secretFile")
        #expect(missing?.message == "/etc/storagekit/vmstore.chap does not exist")
        #expect(missing?.line == 32)
        let open = try SpecFixture.diagnostics(secret: .readableByOthers(mode: 0o644, length: 16))
        #expect(!open.hasErrors)
        #expect(open.at("iscsi.targets[0].chap.secretFile", .warning)?.fix == "chmod 600 /etc/storagekit/vmstore.chap")
    }

    @Test func aPortalMustBeAnAddressOfItsServer() throws {
        let error = try SpecFixture.diagnostics(("server: san1\n", "server: san1\n      portals: [10.20.0.5:3260, 10.20.0.99]\n"))
            .at("iscsi.targets[0].portals[1]")
        #expect(error?.message.contains("10.20.0.99 is not an address of san1") == true)
        #expect(error?.line == 31)
    }

    @Test func aSpecWithoutStorageIsRejected() throws {
        let text = SpecFixture.base.components(separatedBy: "nfs:\n")[0] + "firewall: {manage: true}\n"
        let error = try SpecFixture.validate(text).at("")
        #expect(error?.message.contains("none of `nfs:`, `iscsi:` or `drbd:`") == true)
    }

    @Test func initiatorsGivenOnlyAsIQNsWouldOpenTheTargetToAll() throws {
        let error = try SpecFixture.diagnostics(("initiators: [hv1, hv2]", "initiators: [iqn.2026-11.other:a]")).at("iscsi.targets[0].initiators")
        #expect(error?.message.contains("tgt-admin opens a target without an initiator-address to ALL") == true)
    }

    @Test func notYAMLSaysWhichLine() throws {
        #expect {
            try SpecLoader.load(yaml: "cluster: lab\nhosts:\n  - name: [unclosed\n")
        } throws: { error in
            guard case SpecLoadError.notYAML(let line, _) = error else { return false }
            return line != nil
        }
    }
}
