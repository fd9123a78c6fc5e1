import Foundation
import StorageCheck
import StorageFacts
import StorageGathering
import StorageModel
import Testing

/// Rehearsals in check's words: qemu's own error texts (captured from QEMU 7.2 on this machine)
/// read for the failures admins hit, the host at fault, and the fix.
@Suite struct RehearsalRuleTests {
    static let spec = try! SpecLoader.load(yaml: """
        cluster: t
        mountPath: /var/lib/vmstore
        network: [10.1.0.0/24]
        hosts:
          - {name: nfs, address: 10.1.0.9, roles: [nfs-server]}
          - {name: hv1, address: 10.1.0.11, roles: [hypervisor]}
          - {name: hv2, address: 10.1.0.12, roles: [hypervisor]}
        nfs:
          server: nfs
          exports: [{path: /srv/vmstore, clients: [10.1.0.0/24], options: [rw, sync, root_squash, no_subtree_check]}]
        """).spec

    static func failed(_ step: RehearsalStep, on host: String, _ error: String, storage: RehearsalStorage = .directory("/var/lib/vmstore")) -> Finding {
        var result = RehearsalResult(pair: RehearsalPair(source: "hv1", destination: "hv2", storage: storage))
        result.fail(step, on: host, error)
        result.fail(.cleanup, on: "hv9", "a consequence, not the cause")
        result.uri = "tcp:10.1.0.12:49152"
        let findings = RehearsalRules.findings([result], spec: spec, specFile: "s.yaml")
        #expect(findings.count == 1)
        return findings[0]
    }

    @Test func aMissingImageNamesBothHostsAndAMissingDeviceTheDestination() {
        // hv2 does not see what hv1 made: either one may mount other storage there; the host in
        // every failing pair of the ring is the one (check's path.mount.same names it).
        let finding = Self.failed(.incoming, on: "hv2", "qemu-system-x86_64: -drive file=/var/lib/vmstore/storagekit-canary-t-1.img,format=raw,if=virtio,cache=none: Could not open '/var/lib/vmstore/storagekit-canary-t-1.img': No such file or directory")
        #expect(finding.check == .rehearseMigration && finding.status == .fail && finding.hosts == ["hv1", "hv2"])
        #expect(finding.message.hasPrefix("hv1 → hv2 on /var/lib/vmstore: starting the destination's VM (it opens the disk): hv2 does not see the image hv1 created"))
        #expect(finding.fix?.contains("storagekit check --only path --spec s.yaml") == true)
        let device = Self.failed(.incoming, on: "hv2", "Could not open '/dev/mapper/store-1': No such file or directory", storage: .device("/dev/mapper/store-1", .multipath))
        #expect(device.hosts == ["hv2"] && device.fix == "storagekit multipath setup --host hv2 --spec s.yaml")
    }

    @Test func aDeniedOpenBetweenTwoAccountsNamesBoth() {
        var result = RehearsalResult(pair: RehearsalPair(source: "hv2", destination: "hv3", storage: .directory("/var/lib/vmstore")))
        result.fail(.takeOver, on: "hv3", "the destination could not resume the VM: cont: Could not open '/var/lib/vmstore/storagekit-canary-t-2.img': Permission denied")
        result.account = "libvirt-qemu (64056:107)"
        result.destinationAccount = "libvirt-qemu (64055:107)"
        let finding = RehearsalRules.findings([result], spec: Self.spec, specFile: "s.yaml")[0]
        #expect(finding.hosts == ["hv2", "hv3"] && finding.message.contains("qemu runs as libvirt-qemu (64056:107) on hv2 and as libvirt-qemu (64055:107) on hv3"))
    }

    @Test func permissionsNameQemusAccountAndTheExport() {
        let finding = Self.failed(.start, on: "hv1", "cannot create the canary image /var/lib/vmstore/storagekit-canary-t-1.img as libvirt-qemu (64055:107): truncate: cannot open '/var/lib/vmstore/storagekit-canary-t-1.img' for writing: Permission denied")
        #expect(finding.hosts == ["hv1"])
        #expect(finding.fix?.contains("on nfs: chown that uid:gid on the export (see nfs.image.access)") == true)
    }

    @Test func aMachineTypeTheDestinationLacksAndAnAddressItLacks() {
        let machine = Self.failed(.incoming, on: "hv2", "qemu-system-x86_64: unsupported machine type\nUse -machine help to list supported machines")
        #expect(machine.message.contains("hv2's qemu does not know the machine type hv1's guests are defined with"))
        let address = Self.failed(.incoming, on: "hv2", "qemu-system-x86_64: -incoming tcp:10.1.0.12:49152: Failed to find an available port: Cannot assign requested address")
        #expect(address.fix == "fix hosts[].address of hv2 in s.yaml, or give hv2 that address")
    }

    @Test func aFilteredOrRefusedPortIsTheDestinationsWhicheverSideSawIt() {
        let dropped = Self.failed(.migrate, on: "hv1", "the migration was still `setup` after 5 s (tcp:10.1.0.12:49152)")
        #expect(dropped.hosts == ["hv2"])
        #expect(dropped.message.contains("got no answer"))
        #expect(dropped.fix?.hasPrefix("storagekit firewall apply --host hv2 --spec s.yaml") == true)
        let refused = Self.failed(.migrate, on: "hv1", "Failed to connect to '10.1.0.12:49152': Connection refused")
        #expect(refused.hosts == ["hv2"] && refused.message.contains("hv2 refused the migration connection"))
    }

    @Test func aHeldLockIsTheSourceNotLettingGo() {
        let finding = Self.failed(.takeOver, on: "hv2", "the destination could not resume the VM: cont: Failed to get \"write\" lock")
        #expect(finding.message.hasSuffix("the source still holds the disk"))
    }

    @Test func passesSkipsAndLeftoversAreFindingsToo() {
        var passed = RehearsalResult(pair: RehearsalPair(source: "hv1", destination: "hv2", storage: .directory("/var/lib/vmstore")))
        passed.passed = true
        passed.account = "libvirt-qemu (64055:107)"
        passed.stepsMs = [.migrate: 260]
        passed.leftBehind = ["hv2": ["qemu pid 42"]]
        var skipped = RehearsalResult(pair: RehearsalPair(source: "hv1", destination: "hv2", storage: .device("/dev/drbd0", .drbd)))
        skipped.skipped = "namespace lab"
        let findings = RehearsalRules.findings([passed, skipped], spec: Self.spec, specFile: "s.yaml")
        #expect(findings.map(\.check) == [.rehearseMigration, .rehearseCleanup, .rehearseMigration])
        #expect(findings[0].status == .pass && findings[0].message == "a canary VM on /var/lib/vmstore migrated hv1 → hv2 in 0.26 s and resumed there, qemu as libvirt-qemu (64055:107)")
        #expect(findings[1].status == .fail && findings[1].hosts == ["hv2"])
        #expect(findings[2].status == .skip && findings[2].fix == "namespace lab")
        #expect(!CheckReport(findings: findings, durationMs: 1).ready, "a leftover VM is a failure")
    }

    @Test func theCanaryCommandLineIsALibvirtGuestsWhereItMatters() {
        var arguments = CanaryVMArguments(
            emulator: "qemu-system-x86_64", directory: "/run/storagekit/canary/x-source", disk: "/var/lib/vm,store/c.img", readOnly: false,
            machine: "pc-q35-7.2", incoming: "tcp:10.1.0.12:49152", account: UserFacts(name: "libvirt-qemu", uid: 64055, gid: 107))
        let argv = arguments.argv
        #expect(Array(argv.prefix(5)) == ["setpriv", "--reuid=64055", "--regid=107", "--init-groups", "--"])
        #expect(argv.contains("file=/var/lib/vm,,store/c.img,format=raw,if=virtio,cache=none"))
        #expect(argv.contains("pc-q35-7.2,accel=tcg") && argv.suffix(2) == ["-incoming", "tcp:10.1.0.12:49152"])
        #expect(argv.contains("-S") && argv.contains("-daemonize") && argv.contains("unix:/run/storagekit/canary/x-source/qmp.sock,server=on,wait=off"))
        arguments.account = nil
        arguments.readOnly = true
        arguments.incoming = nil
        #expect(arguments.argv.first == "qemu-system-x86_64" && arguments.argv.contains { $0.hasSuffix(",cache=none,readonly=on") })
    }
}
