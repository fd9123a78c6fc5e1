/// A valid spec and hostile replacements of its values, each with the field validation must
/// name: shared by the validator's tests and the command-line tests.
public enum HostileSpecs {
    public static let base = """
        cluster: lab
        mountPath: /var/lib/vmstore
        network: [10.99.1.0/24, 10.99.2.0/24]
        hosts:
          - {name: san, addresses: [10.99.1.5, 10.99.2.5], roles: [iscsi-target]}
          - {name: nfs, address: 10.99.1.9, roles: [nfs-server]}
          - {name: hv1, addresses: [10.99.1.11, 10.99.2.11], roles: [hypervisor]}
          - {name: hv2, addresses: [10.99.1.12, 10.99.2.12], roles: [hypervisor]}
        nfs:
          server: nfs
          exports:
            - path: /srv/vmstore
              clients: [10.99.1.11, 10.99.1.12]
              options: [rw, sync, no_subtree_check]
        iscsi:
          targets:
            - iqn: iqn.2026-11.lab.san:vmstore
              server: san
              initiators: [hv1, hv2]
              chap: {username: labuser, secretFile: /run/storagekit/lab-chap.secret}
              luns:
                - {lun: 1, backingStore: /srv/iscsi/vmstore1.img, size: 256M}
          multipath: {alias: vmstore}
        firewall: {manage: true}
        """

    /// (what the spec says, what it is replaced by, the field the error must name)
    public static let cases: [(original: String, replacement: String, field: String)] = {
        var cases: [(String, String, String)] = []
        let payloads = ["\"x\\n/srv/evil *(rw,no_root_squash)\"", "\"x;rm -rf /\"", "\"$(reboot)\"", "\"`id`\"", "\"x|y\"", "\"a\\u0000b\"",
                        "\"" + String(repeating: "a", count: 5000) + "\"", "\"\\u202Eevil\"", "\"x\\ry\"", "\"x y\""]
        for payload in payloads {
            cases.append(("cluster: lab", "cluster: \(payload)", "cluster"))
            cases.append(("name: hv1,", "name: \(payload),", "hosts[2].name"))
            cases.append(("path: /srv/vmstore", "path: \(payload)", "nfs.exports[0].path"))
            cases.append(("options: [rw, sync, no_subtree_check]", "options: [rw, \(payload)]", "nfs.exports[0].options"))
            cases.append(("clients: [10.99.1.11, 10.99.1.12]", "clients: [10.99.1.11, \(payload)]", "nfs.exports[0].clients"))
            cases.append(("iqn: iqn.2026-11.lab.san:vmstore", "iqn: \(payload)", "iscsi.targets[0].iqn"))
            cases.append(("username: labuser", "username: \(payload)", "iscsi.targets[0].chap.username"))
            cases.append(("backingStore: /srv/iscsi/vmstore1.img", "backingStore: \(payload)", "iscsi.targets[0].luns[0].backingStore"))
            cases.append(("alias: vmstore", "alias: \(payload)", "iscsi.multipath.alias"))
            cases.append(("mountPath: /var/lib/vmstore", "mountPath: \(payload)", "mountPath"))
        }
        for path in ["/srv/../etc", "/srv/vmstore/..", "relative/path"] {
            cases.append(("path: /srv/vmstore", "path: \(path)", "nfs.exports[0].path"))
            cases.append(("backingStore: /srv/iscsi/vmstore1.img", "backingStore: \(path)", "iscsi.targets[0].luns[0].backingStore"))
            cases.append(("mountPath: /var/lib/vmstore", "mountPath: \(path)", "mountPath"))
        }
        cases.append(("address: 10.99.1.9", "address: \"10.99.1.9\\n-A INPUT -j ACCEPT\"", "hosts[1].address"))
        cases.append(("network: [10.99.1.0/24, 10.99.2.0/24]", "network: [\"0.0.0.0/0 -j ACCEPT\", 10.99.2.0/24]", "network[0]"))
        return cases
    }()

}
