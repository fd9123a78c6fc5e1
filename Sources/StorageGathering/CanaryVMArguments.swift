import StorageCheck
import StorageFacts
import StorageModel

/// The canary VM's command line, the same on both sides of a rehearsal except `-incoming`: what
/// a guest of libvirt has that matters to a migration (its disk by its real path, `cache=none`,
/// a concrete machine type), nothing that does not (no network, no display, 64 MiB).
public struct CanaryVMArguments: Sendable, Equatable {
    public var emulator: String
    /// The run directory of this side: the QMP socket and pid file live there.
    public var directory: String
    public var disk: String
    public var readOnly: Bool
    /// `q35` on the source; the source's concrete type (`pc-q35-7.2`) on the destination.
    public var machine: String
    public var incoming: String?
    /// nil: run as root.
    public var account: UserFacts?

    public init(emulator: String, directory: String, disk: String, readOnly: Bool, machine: String, incoming: String?, account: UserFacts?) {
        self.emulator = emulator
        self.directory = directory
        self.disk = disk
        self.readOnly = readOnly
        self.machine = machine
        self.incoming = incoming
        self.account = account
    }

    public var socket: String { directory + "/qmp.sock" }
    public var pidFile: String { directory + "/qemu.pid" }

    /// The argv: qemu (behind setpriv when it runs as qemu's account). `-daemonize` returns once
    /// the VM is set up: its disk open and, with `-incoming`, the port listening; or fails with
    /// qemu's own error on standard error.
    public var argv: [String] {
        var drive = "file=\(Self.escapedOption(disk)),format=raw,if=virtio,cache=none"
        if readOnly { drive += ",readonly=on" }
        var qemu = [
            emulator, "-name", "storagekit-canary", "-machine", "\(machine),accel=tcg", "-m", "64", "-nodefaults", "-no-user-config",
            "-display", "none", "-S", "-drive", drive,
            "-qmp", "unix:\(socket),server=on,wait=off", "-daemonize", "-pidfile", pidFile,
        ]
        if let incoming { qemu += ["-incoming", incoming] }
        return Self.asAccount(account, qemu)
    }

    /// A command run as the same account as qemu (creating and removing the canary image).
    public static func asAccount(_ account: UserFacts?, _ argv: [String]) -> [String] {
        guard let account else { return argv }
        return ["setpriv", "--reuid=\(account.uid)", "--regid=\(account.gid)", "--init-groups", "--"] + argv
    }

    /// qemu's option syntax doubles a comma inside a value.
    static func escapedOption(_ value: String) -> String { value.replacingOccurrences(of: ",", with: ",,") }
}
