import Foundation
import StorageModel
import StorageSystem
import Testing

/// The kernel lab's plan as values: which hosts become guests, their NICs and the control
/// namespace, the qemu command line, the initramfs module order and the guest's PID 1.
@Suite struct KernelGuestTests {
    static let yaml = """
        cluster: kg
        mountPath: /guests/images
        network: [10.97.1.0/24, 10.97.2.0/24]
        hosts:
          - {name: san, addresses: [10.97.1.5, 10.97.2.5], roles: [iscsi-target], transport: lab}
          - {name: nfs, address: 10.97.1.9, roles: [nfs-server], transport: lab}
          - {name: hv1, addresses: [10.97.1.11, 10.97.2.11], roles: [hypervisor], transport: lab}
          - {name: ctl, address: 10.97.1.254, roles: [hypervisor], transport: lab}
        nfs: {server: nfs, implementation: kernel, exports: [{path: /srv/x, clients: [10.97.1.11]}]}

        """

    func layout(kernel: Bool) throws -> LabLayout {
        try LabLayout(spec: SpecLoader.load(yaml: Self.yaml).spec, runRoot: "/run/sk-test", dataRoot: "/var/tmp/sk-test", kernel: kernel)
    }

    @Test func hypervisorsAndAKernelNFSServerBecomeGuestsWithAControlNamespaceOnFreeAddresses() throws {
        let kernel = try layout(kernel: true)
        #expect(kernel.guests.map(\.name) == ["nfs", "hv1", "ctl"])
        #expect(kernel.namespaceHosts.map(\.name) == ["san"])
        // .254 is a spec host's address: the control namespace takes the next free one down.
        #expect(kernel.control?.nics.map(\.address) == ["10.97.1.253", "10.97.2.254"])
        #expect(kernel.control?.namespace == "sk-kg-ctl")
        let macs = kernel.hosts.flatMap(\.nics).map(\.mac)
        #expect(Set(macs).count == macs.count && macs.allSatisfy { $0.hasPrefix("52:54:00:") && $0.count == 17 })

        let plain = try layout(kernel: false)
        #expect(plain.guests.isEmpty && plain.control == nil)
    }

    @Test func aGuestIsReachedOverSSHFromTheControlNamespaceWithTheLabsKeys() throws {
        let kernel = try layout(kernel: true)
        let argv = kernel.execArguments(host: try kernel.host("hv1"), ["iscsiadm", "-m", "session"])
        #expect(Array(argv.prefix(4)) == ["nsenter", "--net=/run/netns/sk-kg-ctl", "--", "ssh"])
        #expect(argv.contains("StrictHostKeyChecking=yes") && argv.contains("UserKnownHostsFile=/var/tmp/sk-test/kg/kernel/known_hosts"))
        #expect(argv.contains("/var/tmp/sk-test/kg/kernel/id_ed25519") && argv.contains("BatchMode=yes"))
        #expect(argv.suffix(2) == ["root@10.97.1.11", "'iscsiadm' '-m' 'session'"])
        // A namespace host is still entered directly.
        #expect(kernel.execArguments(host: try kernel.host("san"), ["true"]).first == "nsenter")
        #expect(kernel.execArguments(host: try kernel.host("san"), ["true"]).contains("--mount=/run/sk-test/kg/san.mnt"))
    }

    @Test func moduleFilesComeOnceEachInDependencyOrder() {
        let output = """
            insmod /lib/modules/6.1.0/kernel/drivers/virtio/virtio_ring.ko 
            insmod /lib/modules/6.1.0/kernel/drivers/virtio/virtio.ko 
            insmod /lib/modules/6.1.0/kernel/drivers/virtio/virtio_pci.ko 
            insmod /lib/modules/6.1.0/kernel/drivers/virtio/virtio_ring.ko 
            builtin crc32c
            insmod /lib/modules/6.1.0/kernel/fs/9p/9p.ko.xz 
            """
        #expect(KernelGuest.moduleFiles(showDepends: output).map { $0.split(separator: "/").last.map(String.init) ?? "" }
                == ["virtio_ring.ko", "virtio.ko", "virtio_pci.ko", "9p.ko.xz"])
    }

    @Test func qemuGetsOneTapPerNICTheReadOnlyRootAndTheGuestScriptOnTheCommandLine() throws {
        let kernel = try layout(kernel: true)
        let hv1 = try kernel.host("hv1")
        let argv = KernelGuest.qemuArguments(hv1, cluster: "kg", boot: KernelGuest.Boot(kernel: "/boot/vmlinuz-6.1.0", initramfs: "/x/initramfs.gz"))
        #expect(argv.first == "qemu-system-x86_64" && argv.contains("tcg") && argv.contains("-no-reboot"))
        #expect(argv.contains("local,path=/,mount_tag=hostroot,security_model=none,readonly=on"))
        #expect(argv.contains { $0.contains("sk.init=/var/tmp/sk-test/kg/hv1/guest-init.sh") && $0.contains("net.ifnames=0") })
        let taps = argv.filter { $0.hasPrefix("tap,") }
        #expect(taps.count == 2 && zip(taps, hv1.nics).allSatisfy { $0.contains("ifname=\($1.rootName),") })
        #expect(argv.filter { $0.hasPrefix("virtio-net-pci") } == hv1.nics.enumerated().map { "virtio-net-pci,netdev=n\($0),mac=\($1.mac)" })
    }

    @Test func theGuestsPID1GivesItWritableDirectoriesItsNICsAndTheDaemons() throws {
        let kernel = try layout(kernel: true)
        let hv1 = try kernel.host("hv1")
        let spec = try SpecLoader.load(yaml: Self.yaml).spec
        let own = try kernel.ownDirectories(of: hv1, in: spec) { _ in .missing }
        #expect(own == [LabOwnDirectory(path: "/guests", kind: .empty, fields: ["mountPath"])])
        let script = KernelGuest.initScript(hv1, own: own, files: kernel.kernelFiles)
        #expect(script.contains("layer /etc") && script.contains("layer /var") && script.contains("mount -t tmpfs -o mode=0755 tmpfs /guests"))
        #expect(script.contains("layer /root") && script.contains("layer /tmp") && script.contains("rm -f /root/.bashrc"))
        #expect(script.contains("hostname hv1"))
        for nic in try kernel.host("hv1").nics { #expect(script.contains("nic \(nic.mac) \(nic.name) \(nic.address)/\(nic.prefix)")) }
        for daemon in ["systemd-udevd", "iscsid", "multipathd", "rpcbind -w", "sshd -f /var/tmp/sk-test/kg/kernel/sshd_config"] {
            #expect(script.contains(daemon), "\(daemon)")
        }
        #expect(!script.contains("nfsd"))
        #expect(KernelGuest.initScript(try kernel.host("nfs"), own: [], files: kernel.kernelFiles, servers: [.knfsd]).contains(" nfsd;"))
        #expect(!script.contains("iscsi_target_mod") && !script.contains("configfs"))
        let lio = KernelGuest.initScript(hv1, own: [], files: kernel.kernelFiles, servers: [.lio])
        #expect(lio.contains(" target_core_mod target_core_file target_core_iblock iscsi_target_mod;"), "\(lio)")
        #expect(lio.contains("mount -t configfs configfs /sys/kernel/config"))
        // The lab's /etc/hosts lines, quoted for the shell (its comment has an apostrophe).
        let named = KernelGuest.initScript(hv1, own: own, hostsFile: kernel.hostsFileLines, files: kernel.kernelFiles)
        #expect(named.contains("echo '10.97.1.11 hv1' >> /etc/hosts") && kernel.hostsFileLines[0].contains("'"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sk-guest-init-\(getpid()).sh")
        try named.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-n", file.path]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0, "sh -n reads the guest's PID 1 script")
        let existing = KernelGuest.initScript(hv1, own: [LabOwnDirectory(path: "/opt", kind: .overlay, fields: ["mountPath"])], files: kernel.kernelFiles)
        #expect(existing.contains("layer /opt") && !existing.contains("tmpfs /opt"))
    }
}

/// Whether guests get KVM: a probe boot with the lab's own kernel and initramfs decides, once
/// per machine and kernel.
@Suite struct AcceleratorProbeTests {
    @Test func theProbeBootsTheLabsKernelWithKVMAndStopsRightAfterTheRootIsMounted() {
        let boot = KernelGuest.Boot(kernel: "/boot/vmlinuz-6.1.0-56-amd64", initramfs: "/var/tmp/lab/initramfs.gz", accel: "kvm")
        let argv = KernelGuest.probeArguments(boot: boot, console: "/var/tmp/lab/kvm-probe.log")
        #expect(argv.starts(with: ["qemu-system-x86_64"]))
        #expect(argv.contains("kvm") && argv.contains("-no-reboot") && argv.contains("file:/var/tmp/lab/kvm-probe.log"))
        #expect(argv.contains { $0.contains("sk.probe=1") && $0.contains("no_timer_check") } && !argv.contains { $0.contains("sk.init=") })
        #expect(!argv.contains { $0.hasPrefix("tap") || $0 == "-netdev" }, "a probe has no NIC")
        // The initramfs prints the marker only after the 9p root is mounted, then powers off.
        let lines = KernelGuest.initramfsInit.split(separator: "\n").map(String.init)
        let mount = try! #require(lines.firstIndex { $0.contains("mount -t 9p") })
        let probe = try! #require(lines.firstIndex { $0.contains("sk.probe=1") })
        #expect(mount < probe && lines[probe].contains(KernelGuest.probeMarker) && lines[probe].contains("poweroff -f"))
    }

    @Test func aCachedVerdictCountsOnlyForTheSameKernel() {
        let line = KernelGuest.acceleratorCacheLine(kernel: "/boot/vmlinuz-6.1", ("tcg", "the KVM probe boot failed (timeout)"))
        let cached = KernelGuest.cachedAccelerator(line, kernel: "/boot/vmlinuz-6.1", file: "/var/tmp/storagekit-lab/accel-probe")
        #expect(cached?.accel == "tcg" && cached?.why.hasPrefix("the KVM probe boot failed (timeout) (cached in /var/tmp/storagekit-lab/accel-probe") == true)
        #expect(KernelGuest.cachedAccelerator(line, kernel: "/boot/vmlinuz-6.2", file: "x") == nil)
        #expect(KernelGuest.cachedAccelerator("/boot/vmlinuz-6.1\tqemu\twhy\n", kernel: "/boot/vmlinuz-6.1", file: "x") == nil)
        #expect(KernelGuest.cachedAccelerator("garbage", kernel: "/boot/vmlinuz-6.1", file: "x") == nil)
    }
}

/// DRBD in the kernel lab: a guest that is a node of a resource on /dev/vdX gets virtio disks
/// up to that letter, each a file of its own, on qemu's command line in device order.
@Suite struct GuestDiskTests {
    static let yaml = """
        cluster: kd
        mountPath: /var/lib/xen/images
        network: [10.96.3.0/24]
        hosts:
          - {name: hv1, address: 10.96.3.11, roles: [hypervisor]}
          - {name: hv2, address: 10.96.3.12, roles: [hypervisor]}
          - {name: hv3, address: 10.96.3.13, roles: [hypervisor]}
        drbd:
          resources:
            - name: r0
              device: /dev/drbd0
              disk: /dev/vdb
              hosts: [{name: hv1}, {name: hv2}]
            - name: r1
              device: /dev/drbd1
              disk: /dev/vda
              port: 7790
              hosts: [{name: hv1}, {name: hv2}]
        """

    @Test func nodesGetOneFilePerLetterUpToTheHighestAndOthersNone() throws {
        let spec = try SpecLoader.load(yaml: Self.yaml).spec
        let layout = try LabLayout(spec: spec, runRoot: "/run/t", dataRoot: "/var/tmp/t", kernel: true)
        let hv1 = try layout.host("hv1")
        #expect(hv1.disks.map(\.device) == ["/dev/vda", "/dev/vdb"])
        #expect(hv1.disks.map(\.file) == ["/var/tmp/t/kd/hv1/disk-vda.img", "/var/tmp/t/kd/hv1/disk-vdb.img"])
        #expect(hv1.disks.allSatisfy { $0.size == 256 << 20 })
        #expect(try layout.host("hv3").disks.isEmpty, "not a node of any resource")
        let argv = KernelGuest.qemuArguments(hv1, cluster: "kd", boot: KernelGuest.Boot(kernel: "/boot/vmlinuz", initramfs: "/i.gz"))
        let drives = argv.enumerated().filter { $0.element == "-drive" }.map { argv[$0.offset + 1] }
        #expect(drives == ["file=/var/tmp/t/kd/hv1/disk-vda.img,format=raw,if=none,id=d0", "file=/var/tmp/t/kd/hv1/disk-vdb.img,format=raw,if=none,id=d1"])
        #expect(argv.contains("virtio-blk-pci,drive=d0,serial=storagekit-vd0"))
        let namespaceLab = try LabLayout(spec: spec, runRoot: "/run/t", dataRoot: "/var/tmp/t", kernel: false)
        #expect(try namespaceLab.host("hv1").disks.isEmpty, "a namespace lab attaches nothing")
    }

    @Test func aLIOTargetsServerBecomesAGuestAndATgtOneStaysANamespace() throws {
        let yaml = """
            cluster: kl
            network: [10.96.1.0/24]
            hosts:
              - {name: san, address: 10.96.1.5, roles: [iscsi-target]}
              - {name: tgt, address: 10.96.1.6, roles: [iscsi-target]}
              - {name: nfs, address: 10.96.1.9, roles: [nfs-server]}
              - {name: hv1, address: 10.96.1.11, roles: [hypervisor]}
            nfs:
              server: nfs
              implementation: ganesha
              exports: [{path: /srv/vmstore, clients: [10.96.1.0/24]}]
            iscsi:
              targets:
                - {iqn: iqn.2026-12.kl.san:a, server: san, implementation: lio, initiators: [hv1], luns: [{lun: 1, backingStore: /srv/a.img, size: 16M}]}
                - {iqn: iqn.2026-12.kl.tgt:b, server: tgt, initiators: [hv1], luns: [{lun: 1, backingStore: /srv/b.img, size: 16M}]}
            """
        let spec = try SpecLoader.load(yaml: yaml).spec
        #expect(LabLayout.kernelServers(of: "san", in: spec) == [.lio])
        #expect(LabLayout.becomesGuest("san", in: spec))
        #expect(!LabLayout.becomesGuest("tgt", in: spec))
        #expect(!LabLayout.becomesGuest("nfs", in: spec), "ganesha runs in a namespace")
        #expect(LabLayout.becomesGuest("hv1", in: spec))
    }
}
