import StorageModel
import StorageSystem
import Testing

/// Every path the spec makes storagekit write on a lab host gets a writable directory of the
/// host's own, computed from the spec; a path no host can be given is refused by field.
@Suite struct LabOwnDirectoriesTests {
    static func yaml(export: String = "/export/vmstore", backing: String = "/data/iscsi/vmstore.img", mountPath: String = "/var/lib/vmstore/vms") -> String {
        """
        cluster: own
        mountPath: \(mountPath)
        network: [10.97.7.0/24]
        transport: lab
        hosts:
          - {name: san, address: 10.97.7.5, roles: [iscsi-target]}
          - {name: nfs, address: 10.97.7.9, roles: [nfs-server]}
          - {name: hv1, address: 10.97.7.11, roles: [hypervisor]}
        nfs: {server: nfs, implementation: kernel, exports: [{path: \(export), clients: [10.97.7.11], fsid: 1}]}
        iscsi:
          targets:
            - {iqn: "iqn.2026-12.own.san:vm", server: san, initiators: [hv1], luns: [{lun: 1, backingStore: \(backing), size: 16M}]}
          multipath: {alias: vm}

        """
    }

    func own(_ yaml: String, host: String, kernel: Bool = true, kind: @escaping (String) -> PathKind = { _ in .missing }) throws -> [LabOwnDirectory] {
        let spec = try SpecLoader.load(yaml: yaml).spec
        let layout = try LabLayout(spec: spec, runRoot: "/run/sk-own", dataRoot: "/var/tmp/sk-own", kernel: kernel)
        return try layout.ownDirectories(of: try layout.host(host), in: spec, kind: kind)
    }

    @Test func theTopDirectoryOfEachWrittenPathIsTheHostsOwn() throws {
        let yaml = Self.yaml()
        // A guest (knfsd): /export is new on this machine, so an empty tmpfs of its own.
        #expect(try own(yaml, host: "nfs") == [LabOwnDirectory(path: "/export", kind: .empty, fields: ["nfs.exports[0].path"])])
        // A namespace (tgtd): /data exists here, so this machine's with a layer of its own.
        #expect(try own(yaml, host: "san") { $0 == "/data" ? .directory : .missing } == [LabOwnDirectory(path: "/data", kind: .overlay, fields: ["iscsi.targets[0].luns[0].backingStore"])])
        // The mount path's parents are under /var, which every guest has of its own already.
        #expect(try own(yaml, host: "hv1").isEmpty)
    }

    @Test func aNamespaceHostKeepsItsOwnVarLibAndTheLabsDataAndGetsTheDirectoryBesideThem() throws {
        let yaml = Self.yaml(backing: "/var/cache/iscsi/vm.img")
        #expect(try own(yaml, host: "san", kernel: false) { _ in .directory } == [LabOwnDirectory(path: "/var/cache", kind: .overlay, fields: ["iscsi.targets[0].luns[0].backingStore"])])
        // /var/lib is a namespace host's own already; /srv too.
        #expect(try own(Self.yaml(backing: "/var/lib/iscsi/vm.img"), host: "san", kernel: false).isEmpty)
        #expect(try own(Self.yaml(backing: "/srv/iscsi/vm.img"), host: "san", kernel: false).isEmpty)
    }

    @Test func pathsUnderUsrOrTheRootItselfAreRefusedByField() throws {
        for (yaml, host, field) in [(Self.yaml(export: "/usr/share/vms"), "nfs", "nfs.exports[0].path"),
                                    (Self.yaml(backing: "/lib/vm.img"), "san", "iscsi.targets[0].luns[0].backingStore"),
                                    (Self.yaml(mountPath: "/boot/vms"), "hv1", "mountPath")] {
            #expect {
                _ = try own(yaml, host: host)
            } throws: { error in
                guard let error = error as? SystemError, error.code == .invalidRequest else { return false }
                return error.message.hasPrefix("\(field): ") && "\(error)".contains("Choose a directory of its own")
            }
        }
    }

    @Test func aSymbolicLinkOrAFileOnThisMachineIsNotADirectoryToGive() throws {
        #expect(throws: SystemError.self) { _ = try own(Self.yaml(), host: "nfs") { $0 == "/export" ? .other : .missing } }
    }

    @Test func twoPathsUnderOneTopShareItAndNameBothFields() throws {
        let yaml = Self.yaml().replacingOccurrences(of: "exports: [{path: /export/vmstore, clients: [10.97.7.11], fsid: 1}]",
            with: "exports: [{path: /export/vmstore, clients: [10.97.7.11], fsid: 1}, {path: /export/iso, clients: [10.97.7.11], fsid: 2, mountPath: /var/lib/iso}]")
        #expect(try own(yaml, host: "nfs") == [LabOwnDirectory(path: "/export", kind: .empty, fields: ["nfs.exports[0].path", "nfs.exports[1].path"])])
    }
}

/// A kernel-lab guest's DRBD disks are the lab's virtio disks; another device is refused by field.
@Suite struct LabGuestDiskTests {
    static let yaml = """
        cluster: gd
        mountPath: /var/lib/vmstore
        network: [10.97.7.0/24]
        transport: lab
        hosts:
          - {name: xen1, address: 10.97.7.11, roles: [hypervisor]}
          - {name: xen2, address: 10.97.7.12, roles: [hypervisor]}
        drbd:
          resources:
            - {name: r0, device: /dev/drbd0, disk: /dev/vdb, hosts: [{name: xen1}, {name: xen2}]}
        migration: {hypervisor: xen}

        """

    func own(_ yaml: String) throws -> [LabOwnDirectory] {
        let spec = try SpecLoader.load(yaml: yaml).spec
        let layout = try LabLayout(spec: spec, runRoot: "/run/sk-gd", dataRoot: "/var/tmp/sk-gd", kernel: true)
        return try layout.ownDirectories(of: try layout.host("xen1"), in: spec) { _ in .missing }
    }

    @Test func virtioDisksPassAndAnotherDeviceIsRefusedNamingTheField() throws {
        #expect(try own(Self.yaml).isEmpty)
        #expect {
            _ = try own(Self.yaml.replacingOccurrences(of: "disk: /dev/vdb", with: "disk: /dev/sdb"))
        } throws: { error in
            guard let error = error as? SystemError, error.code == .invalidRequest else { return false }
            return error.message.hasPrefix("drbd.resources[0].disk: the lab cannot give its hosts /dev/sdb to write in") && "\(error)".contains("/dev/vda to /dev/vdz")
        }
    }
}

/// Nothing reaches a host of a lab that is up here over ssh from this machine's namespace.
@Suite struct LabLeakGuardTests {
    static let lab = LabLeakGuard.UpLab(cluster: "klab", networks: [IPv4Network("10.98.1.0/24")!, IPv4Network("10.98.2.0/24")!])

    func spec(transport: String) throws -> ClusterSpec {
        try SpecLoader.load(yaml: LabOwnDirectoriesTests.yaml().replacingOccurrences(of: "10.97.7.", with: "10.98.1.").replacingOccurrences(of: "10.97.7.0/24", with: "10.98.1.0/24")
            .replacingOccurrences(of: "transport: lab", with: "transport: \(transport)")).spec
    }

    @Test func anSSHSpecOfALabThatIsUpIsRefusedNamingTheHostTheLabAndTheWrittenSpec() throws {
        let refusal = try #require(LabLeakGuard.refusal(spec: try spec(transport: "ssh"), specFile: "examples/kernel-lab.yaml", labs: [Self.lab]))
        #expect(refusal.host == "san" && refusal.address == "10.98.1.5" && refusal.cluster == "klab")
        #expect(refusal.description.contains("--write-spec kernel-lab.lab.yaml") && refusal.description.contains("nothing was sent"))
        #expect(LabLeakGuard.refusal(spec: try spec(transport: "local"), labs: [Self.lab]) != nil)
    }

    @Test func theLabSpecAndAnotherNetworkPass() throws {
        #expect(LabLeakGuard.refusal(spec: try spec(transport: "lab"), labs: [Self.lab]) == nil)
        #expect(LabLeakGuard.refusal(spec: try spec(transport: "ssh"), labs: [LabLeakGuard.UpLab(cluster: "x", networks: [IPv4Network("10.99.1.0/24")!])]) == nil)
        #expect(LabLeakGuard.refusal(spec: try spec(transport: "ssh"), labs: []) == nil)
    }

    @Test func theTransportItselfRefusesAndAProbeOfALabAddressToo() throws {
        let host = try spec(transport: "ssh").hosts[2]
        #expect(throws: SystemError.self) { _ = try Transports.make(for: host, labs: [Self.lab]) }
        #expect(LabLeakGuard.probeRefusal(target: "10.98.1.5:3260", labs: [Self.lab])?.contains("lab klab") == true)
        #expect(LabLeakGuard.probeRefusal(target: "192.0.2.7", labs: [Self.lab]) == nil)
    }
}
