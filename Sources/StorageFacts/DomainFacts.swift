/// A guest defined on this hypervisor and its disks.
public struct DomainFacts: Sendable, Codable, Equatable {
    public var name: String
    public var disks: [DiskFacts]
    /// Files the guest needs that are not its disks: CD-ROM and floppy media, NVRAM, a direct
    /// kernel and initrd. The destination opens them by the same path.
    public var files: [GuestFile]
    /// `<os><type machine=…>` (`pc-q35-7.2`): every destination's QEMU must offer it.
    public var machine: String?
    /// `<cpu mode=…>` (`host-passthrough`, `host-model`, `custom`) and the features it requires.
    public var cpuMode: String?
    public var cpuFeatures: [String]
    /// What makes libvirt refuse to live-migrate it whatever the storage: a host device, a
    /// virtiofs share, a transient disk, invtsc without a TSC frequency, snapshots.
    public var blockers: [String]
    /// Its emulated or external TPM, if it has one (`<tpm>`).
    public var tpm: TPMFacts?

    public init(
        name: String, disks: [DiskFacts], files: [GuestFile] = [], machine: String? = nil, cpuMode: String? = nil, cpuFeatures: [String] = [], blockers: [String] = [],
        tpm: TPMFacts? = nil
    ) {
        self.tpm = tpm
        self.name = name
        self.disks = disks
        self.files = files
        self.machine = machine
        self.cpuMode = cpuMode
        self.cpuFeatures = cpuFeatures
        self.blockers = blockers
    }
}

public struct DiskFacts: Sendable, Codable, Equatable {
    /// A file or block device path.
    public var source: String
    /// libvirt's `<driver cache=…>`; nil when not set (or for Xen).
    public var cache: String?
    public var target: String?
    /// The image's backing files, nearest first (`qemu-img info --backing-chain`); empty for a
    /// raw image or a block device; unknown when the chain could not be read.
    public var backingFiles: Known<[String]>

    public init(source: String, cache: String? = nil, target: String? = nil, backingFiles: Known<[String]> = .known([])) {
        self.source = source
        self.cache = cache
        self.target = target
        self.backingFiles = backingFiles
    }
}

/// A file a guest opens by its path that is not one of its disks.
public struct GuestFile: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, Equatable {
        case cdrom = "CD-ROM", floppy, nvram = "NVRAM", kernel, initrd
    }

    public var kind: Kind
    public var path: String

    public init(_ kind: Kind, _ path: String) {
        self.kind = kind
        self.path = path
    }
}

/// A guest's vTPM: `<tpm><backend type='emulator'>` is a swtpm that libvirt starts with its
/// state in /var/lib/libvirt/swtpm/<uuid>, or in `<source path=…>` (libvirt ≥ 10.10);
/// `external` is a swtpm someone else runs, reached by its socket.
public struct TPMFacts: Sendable, Codable, Equatable {
    public enum Backend: String, Sendable, Codable, Equatable { case emulator, external }

    public var backend: Backend
    /// Where swtpm keeps its state (the emulator's); nil when the domain has no uuid to build
    /// libvirt's default from.
    public var statePath: String?

    public init(backend: Backend, statePath: String?) {
        self.backend = backend
        self.statePath = statePath
    }
}
