import StorageFacts

/// Every readiness check, by its stable id (docs/checks.md explains each).
public enum CheckID: String, Sendable, CaseIterable, Codable {
    case specValid = "spec.valid"
    case specExposure = "spec.exposure"
    case hostFacts = "host.facts"
    case hostFirewall = "host.firewall"

    case iscsiAccess = "iscsi.access"
    case iscsiPortalReachable = "iscsi.portal.reachable"
    case iscsiTargetDiscovered = "iscsi.target.discovered"
    case iscsiLoginAccepted = "iscsi.login.accepted"
    case iscsiLUNVisible = "iscsi.lun.visible"
    case iscsiLUNIdentity = "iscsi.lun.identity"
    case iscsiLUNUnique = "iscsi.lun.unique"
    case iscsiSession = "iscsi.session"
    case iscsiMultipath = "iscsi.multipath"

    case nfsAccess = "nfs.access"
    case nfsRpcbindReachable = "nfs.rpcbind.reachable"
    case nfsPortRegistered = "nfs.port.registered"
    case nfsPortReachable = "nfs.port.reachable"
    case nfsExportVisible = "nfs.export.visible"
    case nfsExportMount = "nfs.export.mount"
    case nfsCanaryShared = "nfs.canary.shared"
    case nfsImageAccess = "nfs.image.access"
    case nfsExportAsync = "nfs.export.async"

    case pathExists = "path.mountpath.exists"
    case pathMountSame = "path.mount.same"
    case pathMountOptions = "path.mount.options"
    case pathDeviceSame = "path.device.same"

    case migrationPort = "migration.port"
    case migrationPortRange = "migration.port.range"
    case migrationAddress = "migration.address"
    case migrationSSH = "migration.ssh"
    case migrationCPUVendor = "migration.cpu.vendor"
    case migrationCPUFlags = "migration.cpu.flags"
    case migrationBridges = "migration.bridges"
    case migrationOS = "migration.os"
    case migrationQemuAccount = "migration.qemu.account"
    case migrationSELinux = "migration.selinux"
    case migrationDisksShared = "migration.disks.shared"
    case migrationDisksCache = "migration.disks.cache"
    case migrationFilesShared = "migration.files.shared"
    case migrationGuestCPU = "migration.guest.cpu"
    case migrationGuestMachine = "migration.guest.machine"
    case migrationGuestBlockers = "migration.guest.blockers"
    case migrationGuestTPM = "migration.guest.tpm"

    case drbdState = "drbd.state"
    case drbdConnected = "drbd.connected"
    case drbdRoles = "drbd.roles"
    case drbdUpToDate = "drbd.uptodate"

    case rehearseMigration = "rehearse.migration"
    case rehearseCleanup = "rehearse.cleanup"

    /// The `--only` area a check belongs to (`spec` and `host` checks always run).
    public var area: CheckArea? {
        switch self {
        case .specValid, .specExposure, .hostFacts, .hostFirewall, .rehearseMigration, .rehearseCleanup:
            nil
        case .iscsiAccess, .iscsiPortalReachable, .iscsiTargetDiscovered, .iscsiLoginAccepted, .iscsiLUNVisible, .iscsiLUNIdentity,
            .iscsiLUNUnique, .iscsiSession, .iscsiMultipath:
            .iscsi
        case .nfsAccess, .nfsRpcbindReachable, .nfsPortRegistered, .nfsPortReachable, .nfsExportVisible, .nfsExportMount,
            .nfsCanaryShared, .nfsImageAccess, .nfsExportAsync:
            .nfs
        case .pathExists, .pathMountSame, .pathMountOptions, .pathDeviceSame:
            .path
        case .migrationPort, .migrationPortRange, .migrationAddress, .migrationSSH, .migrationCPUVendor, .migrationCPUFlags,
            .migrationBridges, .migrationOS, .migrationQemuAccount, .migrationSELinux, .migrationDisksShared, .migrationDisksCache,
            .migrationFilesShared, .migrationGuestCPU, .migrationGuestMachine, .migrationGuestBlockers, .migrationGuestTPM:
            .migration
        case .drbdState, .drbdConnected, .drbdRoles, .drbdUpToDate:
            .drbd
        }
    }
}
