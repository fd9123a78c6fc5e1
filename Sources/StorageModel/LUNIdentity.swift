/// The identity a LUN will have before any probe, so that multipath's WWID is known at render
/// time and unique across the cluster. multipath's WWID is `3` + VPD 0x83's NAA-6 designator
/// (what `/lib/udev/scsi_id --whitelisted` prints).
/// - tgtd builds the designator from `scsi_id` read as hex digits (top nibble forced to 6), so
///   a 32-hex-digit `scsi_id` starting with 6 fixes it. Without it every tgtd answers the same
///   `IET 00010001` identity and serial `beaf1x`.
/// - LIO builds it from the LUN's unit serial (`wwn` in saveconfig.json): NAA 6, the company id
///   00-14-05, then the serial's first 25 hex digits, other characters skipped and zeros after a
///   short serial (the kernel's `spc_gen_naa_6h_vendor_specific`, drivers/target/target_core_spc.c).
///   Without a serial rtslib makes a random one on every restore, and the WWID changes.
public struct LUNIdentity: Sendable, Equatable {
    /// The NAA-6 designator, 32 hex digits: tgtd's `scsi_id`; for LIO, derived from the serial.
    public var scsiID: String
    public var serial: String
    public var wwid: String { "3" + scsiID }

    public init(cluster: String, target: ISCSITarget, lun: ISCSILUN) {
        let digest = sha256Hex("storagekit/\(cluster)/\(target.iqn)/\(lun.lun)")
        switch target.implementation {
        case .tgt:
            scsiID = "6" + digest.prefix(31)
            serial = lun.serial ?? ("SK" + digest.dropFirst(31).prefix(14).uppercased())
        case .lio:
            serial = lun.serial ?? ("SK" + digest.prefix(30).uppercased())
            scsiID = Self.lioDesignator(serial: serial)
        }
    }

    /// LIO's company id (IEEE OUI 00-14-05), its default since the kernel made it settable (5.14).
    public static let lioCompanyID = "001405"

    /// The hex digits of `serial` LIO reads, in order: only ASCII 0-9, a-f, A-F count.
    public static func hexDigits(_ serial: String) -> String {
        String(serial.filter { "0123456789abcdefABCDEF".contains($0) })
    }

    /// LIO's designator for a unit serial: `6`, the company id, the first 25 hex digits of the
    /// serial in lower case, zeros after.
    public static func lioDesignator(serial: String) -> String {
        let digits = hexDigits(serial).prefix(25).lowercased()
        return "6" + lioCompanyID + digits + String(repeating: "0", count: 25 - digits.count)
    }
}
