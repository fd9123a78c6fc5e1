/// The identity a LUN will have before any probe: tgtd builds VPD 0x83's NAA-6 designator from
/// `scsi_id` read as hex digits (top nibble forced to 6) and multipath's WWID is `3` + that
/// designator, so a 32-hex-digit `scsi_id` starting with 6 fixes the WWID at render time.
/// Without it every tgtd answers the same `IET 00010001` identity and serial `beaf1x`.
public struct LUNIdentity: Sendable, Equatable {
    public var scsiID: String
    public var serial: String
    public var wwid: String { "3" + scsiID }

    public init(cluster: String, target: ISCSITarget, lun: ISCSILUN) {
        let digest = sha256Hex("storagekit/\(cluster)/\(target.iqn)/\(lun.lun)")
        scsiID = "6" + digest.prefix(31)
        serial = lun.serial ?? ("SK" + digest.dropFirst(31).prefix(14).uppercased())
    }
}
