import StorageCheck
import StorageFacts
import StorageModel

/// A cluster like the lab's (two portals, CHAP, ganesha, hv3 outside the ACL and the clients)
/// and the facts its healthy hypervisors give; tests break one fact at a time.
enum CheckFixtures {
    static let yaml = """
        cluster: t
        mountPath: /var/lib/vmstore
        network: [10.99.1.0/24, 10.99.2.0/24]
        hosts:
          - {name: san, addresses: [10.99.1.5, 10.99.2.5], roles: [iscsi-target]}
          - {name: nfs, address: 10.99.1.9, roles: [nfs-server]}
          - {name: hv1, addresses: [10.99.1.11, 10.99.2.11], roles: [hypervisor]}
          - {name: hv2, addresses: [10.99.1.12, 10.99.2.12], roles: [hypervisor]}
          - {name: hv3, addresses: [10.99.1.13, 10.99.2.13], roles: [hypervisor]}
        nfs:
          server: nfs
          implementation: ganesha
          exports:
            - {path: /srv/vmstore, clients: [10.99.1.11, 10.99.1.12], options: [rw, sync, no_root_squash, no_subtree_check]}
        iscsi:
          targets:
            - iqn: iqn.2026-11.t.san:vmstore
              server: san
              initiators: [hv1, hv2]
              chap: {username: u, secretFile: /etc/storagekit/chap.secret}
              luns:
                - {lun: 1, backingStore: /srv/iscsi/1.img, size: 256M}
                - {lun: 2, backingStore: /srv/iscsi/2.img, size: 256M}
          multipath: {alias: vmstore}
        migration: {hypervisor: kvm}
        """

    static var spec: ClusterSpec { try! SpecLoader.load(yaml: yaml).spec }
    static var labSpec: ClusterSpec { try! SpecLoader.load(yaml: "transport: lab\n" + yaml).spec }
    static let target = "iqn.2026-11.t.san:vmstore"
    static let portals = ["10.99.1.5:3260", "10.99.2.5:3260"]
    static let unavailable = "lab host: no kernel"

    static func luns(_ spec: ClusterSpec) -> [LUNFacts] {
        let target = spec.iscsi!.targets[0]
        return target.luns.map { lun in
            let identity = spec.identity(of: target, lun)
            return LUNFacts(lun: lun.lun, serial: identity.serial, wwid: identity.wwid, sizeBytes: 268_435_456)
        }
    }

    static func healthy(_ host: String, canary: String? = nil) -> HostFacts {
        let spec = self.spec
        var facts = HostFacts(host: host, version: "test")
        guard host != "hv3" else {
            facts.system = SystemFacts(cpuVendor: "GenuineIntel", cpuFlags: ["fpu", "vmx"], osID: "debian", osVersion: "12.7", bridges: ["br0"])
            return facts
        }
        facts.iscsi = portals.map { PortalFacts(target: target, portal: $0, tcp: .open, discovered: [target], luns: luns(spec)) }
        let peer = host == "hv1" ? ("hv2", "10.99.1.12") : ("hv1", "10.99.1.11")
        facts.nfs = NFSFacts(
            server: "10.99.1.9", rpcbind: .open,
            rpc: [(100003, 2049), (100005, 892), (100021, 32803), (100011, 875)].map { RPCRegistration(program: $0.0, version: 3, protocol: "tcp", port: $0.1) },
            ports: [("nfs", 2049), ("mountd", 892), ("lockd", 32803), ("rquotad", 875)].map { PortFacts(address: "10.99.1.9", port: $0.1, service: $0.0, peer: "nfs", reach: .open) },
            exports: [ExportListing(path: "/srv/vmstore", clients: ["10.99.1.11", "10.99.1.12"])],
            mounts: [ExportMountFacts(export: "/srv/vmstore", rootUID: 0, rootGID: 0, rootMode: 0o755, canary: CanaryFile(path: "/.c-\(host)", content: canary ?? "from \(host)\n"))])
        facts.paths = [PathFacts(path: "/var/lib/vmstore", exists: true, isDirectory: true)]
        facts.kernel = KernelFacts(sessions: .unknown(unavailable), multipath: .unknown(unavailable), mounts: .unknown(unavailable))
        facts.system = SystemFacts(cpuVendor: "GenuineIntel", cpuFlags: ["fpu", "vmx"], osID: "debian", osVersion: "12.7", bridges: ["br0"])
        facts.migrationPorts = [(16509, "libvirtd"), (16514, "libvirtd-tls"), (49152, "qemu-migration")].map {
            PortFacts(address: peer.1, port: $0.0, service: $0.1, peer: peer.0, reach: $0.0 == 16509 ? .open : .refused)
        }
        facts.domains = .unknown("lab host: no hypervisor")
        facts.system.migrationAddress = .known(MigrationAddressFacts(hostname: host, resolved: [peer.1 == "10.99.1.12" ? "10.99.1.11" : "10.99.1.12"]))
        return facts
    }

    static func reads(_ facts: [String: HostFacts]) -> [CanaryRead] {
        [("hv1", "hv2"), ("hv2", "hv1")].compactMap { reader, writer in
            guard let canary = facts[writer]?.nfs?.mounts.first?.canary, facts[reader]?.nfs?.mounts.first?.error == nil else { return nil }
            return CanaryRead(reader: reader, writer: writer, export: "/srv/vmstore", path: canary.path, content: canary.content)
        }
    }

    /// Findings for the healthy cluster after `change` edits the facts.
    static func findings(
        spec: ClusterSpec = CheckFixtures.spec, areas: Set<CheckArea> = [], _ change: (inout [String: HostFacts]) -> Void = { _ in },
        reads: (([CanaryRead]) -> [CanaryRead])? = nil
    ) -> [Finding] {
        var facts = ["hv1": healthy("hv1"), "hv2": healthy("hv2"), "hv3": healthy("hv3")]
        change(&facts)
        var outcomes = facts.mapValues { HostOutcome.answered($0) }
        for (name, value) in facts where value.version == "silent" { outcomes[name] = .silent(reason: "did not answer within 4 s") }
        var canaryReads = self.reads(facts)
        if let reads { canaryReads = reads(canaryReads) }
        return ReadinessRules.evaluate(CheckContext(spec: spec, facts: ClusterFacts(hosts: outcomes, canaryReads: canaryReads), specFile: "c.yaml"), areas: areas)
    }
}

extension Array where Element == Finding {
    func failing(_ check: CheckID) -> [Finding] { filter { $0.check == check && $0.status == .fail } }
    func with(_ check: CheckID, _ status: Finding.Status) -> [Finding] { filter { $0.check == check && $0.status == status } }
    var ready: Bool { CheckReport(findings: self, durationMs: 0).ready }
}
