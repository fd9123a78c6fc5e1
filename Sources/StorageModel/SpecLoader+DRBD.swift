/// Reads `drbd:` the way `nfs:` and `iscsi:` are read: typed values with their lines, every
/// unknown key reported with the closest known one.
extension SpecLoader {
    static func readDRBD(_ reader: MappingReader) -> DRBDSpec {
        let resources = (reader.mappings("resources") ?? []).map(readDRBDResource)
        if resources.isEmpty {
            reader.reportMissing("resources", fix: "add at least one resource with `name`, `device`, `disk` and two `hosts`")
        }
        let spec = DRBDSpec(resources: resources, disableSendpage: reader.bool("disableSendpage") ?? false)
        reader.finish()
        return spec
    }

    private static func readDRBDResource(_ item: MappingReader) -> DRBDResource {
        let hosts: [DRBDNode] = (item.mappings("hosts") ?? []).map { node in
            let read = DRBDNode(name: node.string("name", required: true, hint: "a host of `hosts:`") ?? "", address: node.string("address"))
            node.finish()
            return read
        }
        if hosts.isEmpty {
            item.reportMissing("hosts", fix: "name the two hosts that mirror the disk: `hosts: [{name: hv1}, {name: hv2}]`")
        }
        let resource = DRBDResource(
            name: item.string("name", required: true, hint: "e.g. `name: r0`") ?? "",
            device: item.string("device", required: true, hint: "e.g. `device: /dev/drbd0`") ?? "",
            disk: item.string("disk", required: true, hint: "the backing block device on both hosts, e.g. `disk: /dev/vdb`") ?? "",
            metaDisk: item.string("metaDisk") ?? DRBDResource.defaultMetaDisk,
            port: item.int("port") ?? DRBDResource.defaultPort,
            hosts: hosts,
            protocol: item.enumValue("protocol", DRBDProtocol.self) ?? .c,
            allowTwoPrimaries: item.bool("allowTwoPrimaries") ?? true,
            verifyAlg: item.string("verifyAlg"),
            afterSb0pri: item.enumValue("afterSb0pri", AfterSplitBrain0Primaries.self) ?? .discardZeroChanges,
            afterSb1pri: item.enumValue("afterSb1pri", AfterSplitBrain1Primary.self) ?? .discardSecondary,
            afterSb2pri: item.enumValue("afterSb2pri", AfterSplitBrain2Primaries.self) ?? .disconnect)
        item.finish()
        return resource
    }
}
