/// How LIO holds one LUN's backing store: a fileio object on a file, a block (iblock) object on a
/// device, named after the LUN's multipath alias, with the unit serial that makes its WWID.
/// The saveconfig.json storagekit renders and the live configfs it reconciles both come from
/// this one value.
public struct LIOStorageObject: Sendable, Equatable {
    public enum Plugin: String, Sendable, Equatable {
        case fileio
        case block

        /// The configfs HBA directory prefix (`core/fileio_0`, `core/iblock_0`).
        public var hbaPrefix: String {
            switch self {
            case .fileio: "fileio"
            case .block: "iblock"
            }
        }
    }

    public var name: String
    public var plugin: Plugin
    public var dev: String
    /// fileio only: LIO refuses a size for a block device, which has its own.
    public var size: UInt64?
    /// VPD 0x80; the kernel derives the NAA WWID from it (`LUNIdentity`).
    public var serial: String

    /// rtslib's path of the object (`/backstores/fileio/NAME`).
    public var rtslibPath: String { "/backstores/\(plugin.rawValue)/\(name)" }
}

extension ClusterSpec {
    public func lioStorageObject(of target: ISCSITarget, _ lun: ISCSILUN) -> LIOStorageObject {
        let block = lun.backingStore.hasPrefix("/dev/")
        return LIOStorageObject(
            name: multipathAlias(of: target, lun), plugin: block ? .block : .fileio, dev: lun.backingStore,
            size: block ? nil : lun.sizeBytes, serial: identity(of: target, lun).serial)
    }
}

/// The settings of the one TPG (tag 1) storagekit gives each LIO target: only the listed
/// initiators (no demo mode), CHAP enforced when the spec sets it.
public enum LIOTPGSettings {
    public static let tag = 1

    public static func attributes(chap: Bool) -> [String: Int] {
        ["authentication": chap ? 1 : 0, "generate_node_acls": 0, "demo_mode_write_protect": 1, "cache_dynamic_acls": 0]
    }

    public static func authMethod(chap: Bool) -> String { chap ? "CHAP" : "None" }
}
