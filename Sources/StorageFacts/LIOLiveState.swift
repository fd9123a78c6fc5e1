import StorageModel

/// A host's live LIO, as configfs shows it under /sys/kernel/config/target: what `setup
/// iscsi-target` compares with the spec before it changes anything.
public struct LIOLiveState: Sendable, Equatable {
    public var storageObjects: [StorageObject]
    public var targets: [Target]
    /// `iscsi/` exists: the iSCSI fabric is registered (its first target creates it).
    public var iscsiFabric: Bool

    public init(storageObjects: [StorageObject] = [], targets: [Target] = [], iscsiFabric: Bool = false) {
        self.storageObjects = storageObjects
        self.targets = targets
        self.iscsiFabric = iscsiFabric || !targets.isEmpty
    }

    /// A link inside a LUN or mapped-LUN directory: its name, and what it points at.
    public struct Link<Pointee: Sendable & Equatable>: Sendable, Equatable {
        /// The link's own name (rtslib names a mapped LUN's link with random hex).
        public var name: String?
        public var pointee: Pointee?

        public init(name: String? = nil, pointee: Pointee? = nil) {
            self.name = name
            self.pointee = pointee
        }
    }

    /// One backstore object: `core/<hba>/<name>`.
    public struct StorageObject: Sendable, Equatable {
        /// The HBA directory (`fileio_0`, `iblock_3`): its prefix says the plugin.
        public var hba: String
        public var name: String
        /// What it serves (`udev_path`): a file or a block device.
        public var dev: String?
        /// Bytes, from its `info` (`Size: N`).
        public var size: UInt64?
        /// `wwn/vpd_unit_serial`, the unit serial (nil when none was set).
        public var serial: String?
        public var enabled: Bool

        public init(hba: String, name: String, dev: String? = nil, size: UInt64? = nil, serial: String? = nil, enabled: Bool = false) {
            self.hba = hba
            self.name = name
            self.dev = dev
            self.size = size
            self.serial = serial
            self.enabled = enabled
        }

        /// configfs path below the target directory (`core/fileio_0/vmstore-1`).
        public var path: String { "core/\(hba)/\(name)" }
        public var plugin: String { String(hba.prefix { $0 != "_" }) }
    }

    public struct Target: Sendable, Equatable {
        public var iqn: String
        public var tpgs: [TPG]

        public init(iqn: String, tpgs: [TPG] = []) {
            self.iqn = iqn
            self.tpgs = tpgs
        }
    }

    public struct TPG: Sendable, Equatable {
        public var tag: Int
        public var enabled: Bool
        /// `attrib/` values read (authentication, generate_node_acls, …).
        public var attributes: [String: String]
        /// `param/AuthMethod`.
        public var authMethod: String?
        public var portals: [Portal]
        /// LUN index → the storage object it exports (`core/fileio_0/vmstore-1`); no pointee
        /// when the LUN directory has no object linked.
        public var luns: [Int: Link<String>]
        public var acls: [ACL]

        public init(tag: Int, enabled: Bool = false, attributes: [String: String] = [:], authMethod: String? = nil, portals: [Portal] = [],
                    luns: [Int: Link<String>] = [:], acls: [ACL] = []) {
            self.tag = tag
            self.enabled = enabled
            self.attributes = attributes
            self.authMethod = authMethod
            self.portals = portals
            self.luns = luns
            self.acls = acls
        }
    }

    /// A node ACL: one initiator let in, its CHAP account and the LUNs mapped to it.
    public struct ACL: Sendable, Equatable {
        public var initiator: String
        public var userid: String?
        /// Compared, never shown.
        public var password: String?
        /// Mapped LUN index → the TPG LUN it points at.
        public var mappedLUNs: [Int: Link<Int>]
        /// Its `info` says a session is logged in now.
        public var loggedIn: Bool

        public init(initiator: String, userid: String? = nil, password: String? = nil, mappedLUNs: [Int: Link<Int>] = [:], loggedIn: Bool = false) {
            self.initiator = initiator
            self.userid = userid
            self.password = password
            self.mappedLUNs = mappedLUNs
            self.loggedIn = loggedIn
        }
    }
}
