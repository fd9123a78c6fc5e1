import StorageModel

/// What a kernel-lab guest is made of, as values: the qemu command line, the busybox init of the
/// shared initramfs, and the guest's own init script. The guest boots Debian's kernel from
/// /boot with this machine's root file system read-only over virtio-9p, so every installed tool
/// (and the storagekit binary) runs inside unchanged; its writable directories are tmpfs.
public enum KernelGuest {
    /// Modules the initramfs loads (with their dependencies) to mount the root over 9p.
    public static let bootModules = ["virtio_pci", "9pnet_virtio", "9p"]
    /// Loaded by the guest itself once the root is mounted.
    public static let clientModules = ["overlay", "virtio_net", "virtio_blk", "sd_mod", "iscsi_tcp", "dm_multipath", "nfs", "nfsv3", "nfsv4"]

    /// A server that lives in the guest's own kernel, which is why that host is a guest.
    public enum KernelServer: Sendable, Hashable, CaseIterable {
        /// knfsd (`nfs.implementation: kernel`).
        case knfsd
        /// LIO, the in-kernel iSCSI target (`implementation: lio`), driven through configfs.
        case lio

        public var modules: [String] {
            switch self {
            case .knfsd: ["nfsd"]
            case .lio: LIOModules.all
            }
        }
    }

    /// Module files, in load order and once each, from `modprobe --show-depends` output.
    public static func moduleFiles(showDepends output: String) -> [String] {
        var seen = Set<String>()
        var files: [String] = []
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "insmod" else { continue }
            let path = String(words[1])
            if seen.insert(path).inserted { files.append(path) }
        }
        return files
    }

    /// The initramfs's /init: loads /mods/*.ko in the order /mods/order gives, mounts the host's
    /// root over 9p and hands over to the guest script named by `sk.init=` on the kernel
    /// command line (one initramfs serves every guest).
    public static let initramfsInit = """
        #!/bin/busybox sh
        /bin/busybox --install -s /bin
        mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
        while read -r m; do insmod "/mods/$m" || echo "storagekit initramfs: insmod $m failed"; done < /mods/order
        init=$(sed -n 's/.*sk\\.init=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
        mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /newroot || { echo "storagekit initramfs: cannot mount the host root over 9p"; poweroff -f; }
        case " $(cat /proc/cmdline) " in *" sk.probe=1 "*) ls /newroot/usr/sbin > /dev/null && echo "\(probeMarker)"; poweroff -f;; esac
        mount --move /dev /newroot/dev
        exec switch_root /newroot /bin/sh "$init"

        """

    public struct Boot: Sendable, Equatable {
        public var kernel: String
        public var initramfs: String
        /// `tcg` or `kvm`.
        public var accel: String
        public var memoryMiB: Int

        public init(kernel: String, initramfs: String, accel: String = "tcg", memoryMiB: Int = 1024) {
            self.kernel = kernel
            self.initramfs = initramfs
            self.accel = accel
            self.memoryMiB = memoryMiB
        }
    }

    public static func initScriptPath(_ host: LabLayout.LabHost) -> String { "\(host.dataDirectory)/guest-init.sh" }
    public static func consoleLog(_ host: LabLayout.LabHost) -> String { "\(host.dataDirectory)/console.log" }

    /// qemu in the background with no display, no monitor, the console in a file, one tap per NIC.
    public static func qemuArguments(_ host: LabLayout.LabHost, cluster: String, boot: Boot) -> [String] {
        var argv = [
            "qemu-system-x86_64", "-name", "sk-\(cluster)-\(host.name)", "-accel", boot.accel,
            "-m", String(boot.memoryMiB), "-smp", "1", "-nodefaults", "-no-user-config", "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "file:\(consoleLog(host))",
            "-kernel", boot.kernel, "-initrd", boot.initramfs,
            "-append", "console=ttyS0 quiet panic=-1 \(timerParameter) net.ifnames=0 sk.init=\(initScriptPath(host))",
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on",
        ]
        for (index, nic) in host.nics.enumerated() {
            argv += ["-netdev", "tap,id=n\(index),ifname=\(nic.rootName),script=no,downscript=no",
                     "-device", "virtio-net-pci,netdev=n\(index),mac=\(nic.mac)"]
        }
        for (index, disk) in host.disks.enumerated() {
            argv += ["-drive", "file=\(disk.file),format=raw,if=none,id=d\(index)",
                     "-device", "virtio-blk-pci,drive=d\(index),serial=storagekit-vd\(index)"]
        }
        return argv
    }

    /// Under TCG on a busy machine the emulated timer can miss the kernel's IO-APIC check
    /// ("IO-APIC + timer doesn't work!", a panic seen while fuzzing ran beside the lab): skip it,
    /// as cloud images do.
    static let timerParameter = "no_timer_check"

    /// What the initramfs prints when a probe boot got as far as the 9p root.
    public static let probeMarker = "storagekit-probe: booted"

    /// A throw-away boot with `accel` that stops right after the initramfs has mounted the
    /// host's root: the kernel, virtio and 9p all ran under that accelerator, or it failed.
    public static func probeArguments(boot: Boot, console: String) -> [String] {
        [
            "qemu-system-x86_64", "-name", "storagekit-accel-probe", "-accel", boot.accel,
            "-m", "256", "-smp", "1", "-nodefaults", "-no-user-config", "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "file:\(console)",
            "-kernel", boot.kernel, "-initrd", boot.initramfs,
            "-append", "console=ttyS0 quiet panic=-1 \(timerParameter) sk.probe=1",
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on",
        ]
    }

    /// The probe's verdict, remembered per machine as `kernel<TAB>accel<TAB>why`.
    public static func acceleratorCacheLine(kernel: String, _ chosen: (accel: String, why: String)) -> String {
        "\(kernel)\t\(chosen.accel)\t\(chosen.why)\n"
    }

    /// A remembered verdict for this kernel, or nil (another kernel, or a damaged line).
    public static func cachedAccelerator(_ line: String, kernel: String, file: String) -> (accel: String, why: String)? {
        let fields = line.trimmingCharacters(in: .newlines).split(separator: "\t", maxSplits: 2).map(String.init)
        guard fields.count == 3, fields[0] == kernel, ["kvm", "tcg"].contains(fields[1]) else { return nil }
        return (fields[1], fields[2] + " (cached in \(file); delete it to probe again)")
    }

    /// The guest's PID 1: its writable directories, hostname, NICs (found by MAC), the kernel
    /// modules and the daemons a hypervisor or NFS server has on a real host (udevd, iscsid,
    /// multipathd, rpcbind), and sshd with the lab's keys, through which storagekit reaches it.
    /// `own`: the directories the spec needs beyond the fixed ones (`LabLayout.ownDirectories`);
    /// a new one exists on this machine as an empty mount point and becomes a tmpfs here.
    public static func initScript(
        _ host: LabLayout.LabHost, own: [LabOwnDirectory], hostsFile: [String] = [], files: LabLayout.KernelFiles, servers: Set<KernelServer> = []
    ) -> String {
        let tmpfs = LabLayout.guestTmpfsDirectories + own.filter { $0.kind == .empty }.map(\.path)
        let overlays = LabLayout.guestOverlayDirectories + own.filter { $0.kind == .overlay }.map(\.path)
        let modules = clientModules + KernelServer.allCases.filter(servers.contains).flatMap(\.modules)
        var lines = [
            "#!/bin/sh",
            "# storagekit kernel-lab guest \(host.name): written by `storagekit lab up --kernel`, run as PID 1.",
            "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "say() { echo \"storagekit-guest: $*\" > /dev/console; }",
            "mount -t proc proc /proc; mount -t sysfs sysfs /sys",
            "mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm",
        ]
        lines += tmpfs.map { "mount -t tmpfs -o mode=0755 tmpfs \($0)" }
        lines += [
            "modprobe overlay",
            "mkdir -p /run/.layers",
            "mount -t tmpfs -o mode=0700 tmpfs /run/.layers",
            "layer() { d=/run/.layers/$(echo \"$1\" | tr / _); mkdir -p \"$d/u\" \"$d/w\"; mount -t overlay overlay -o \"lowerdir=$1,upperdir=$d/u,workdir=$d/w\" \"$1\" || say \"no overlay on $1\"; }",
        ]
        lines += overlays.map { "layer \($0)" }
        lines += [
            // This machine's shell start-up files are not the guest's (a .bashrc running pyenv
            // made every ssh command 4.5 s slower under TCG): whiteouts in the overlay only.
            "rm -f /root/.bashrc /root/.profile /root/.bash_profile /root/.bash_login",
            "mkdir -p /run/lock /run/sshd /var/lib/storagekit",
            // qemu's account, as libvirt's Debian package makes it (`rehearse` runs the canary as it).
            "getent group kvm >/dev/null || groupadd --system kvm",
            "getent passwd \(LabLayout.qemuAccount.name) >/dev/null || useradd \(LabLayout.qemuAccount.useradd.joined(separator: " ")) || say 'no qemu account'",
            "hostname \(host.name)",
            "echo >> /etc/hosts",
        ]
        lines += hostsFile.map { "echo \(SSHTransport.shellQuoted($0)) >> /etc/hosts" }
        lines += [
            "for m in \(modules.joined(separator: " ")); do modprobe $m || say \"modprobe $m failed\"; done",
        ]
        if servers.contains(.lio) {
            // LIO is configured through configfs, which a systemd host mounts at boot.
            lines.append("mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config || say 'no configfs'")
        }
        lines += [
            "ip link set lo up",
            "nic() { for n in /sys/class/net/*; do [ \"$(cat $n/address)\" = \"$1\" ] || continue; [ \"${n##*/}\" = \"$2\" ] || ip link set \"${n##*/}\" name \"$2\"; ip addr add \"$3\" dev \"$2\"; ip link set \"$2\" up; return 0; done; say \"no NIC with MAC $1\"; }",
        ]
        lines += host.nics.map { "nic \($0.mac) \($0.name) \($0.address)/\($0.prefix)" }
        lines += [
            "/lib/systemd/systemd-udevd --daemon >/run/udevd.log 2>&1; udevadm trigger; udevadm settle -t 20",
            "iscsid >/run/iscsid.log 2>&1",
            "multipathd >/run/multipathd.log 2>&1",
            "rpcbind -w",
            "/usr/sbin/sshd -f \(files.sshdConfig) -E /run/sshd.log || say 'sshd did not start'",
            "say ready",
            "while :; do sleep 60; done",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// sshd for the lab: keys only, the lab's host key and authorized key, no PAM.
    public static func sshdConfig(_ files: LabLayout.KernelFiles) -> String {
        """
        # storagekit kernel lab: root with the lab's key only
        Port 22
        HostKey \(files.hostKey)
        AuthorizedKeysFile \(files.authorizedKeys)
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        StrictModes no
        PidFile /run/sshd.pid
        MaxSessions 64
        MaxStartups 64:30:128

        """
    }
}
