import StorageModel
import Testing

/// A valid spec with known line numbers; each test changes a line or two and checks what the
/// validator says about exactly that line.
enum SpecFixture {
    static let base = """
        cluster: lab
        os: debian
        mountPath: /var/lib/vmstore
        network: 10.20.0.0/24
        hosts:
          - name: san1
            address: 10.20.0.5
            roles: [iscsi-target]
          - name: nfs1
            address: 10.20.0.9
            roles: [nfs-server]
          - name: hv1
            address: 10.20.0.11
            roles: [hypervisor]
          - name: hv2
            address: 10.20.0.12
            roles: [hypervisor]
        nfs:
          server: nfs1
          exports:
            - path: /srv/vmstore
              clients: [10.20.0.11, 10.20.0.12]
              options: [rw, sync, no_root_squash, no_subtree_check]
              fsid: 1
          ports: {mountd: 892, statd: 662, statdOutgoing: 2020, lockd: 32803, lockdUdp: 32769, rquotad: 875}
          mountOptions: [hard, vers=4.1]
        iscsi:
          targets:
            - iqn: iqn.2026-11.lab.san1:vmstore
              server: san1
              initiators: [hv1, hv2]
              chap: {username: vmstore, secretFile: /etc/storagekit/vmstore.chap}
              luns:
                - lun: 1
                  backingStore: /srv/iscsi/vmstore.img
                  size: 6G
          multipath: {alias: vmstore}
        firewall: {manage: true}
        migration: {hypervisor: kvm}

        """

    /// The base spec with each `(old, new)` substitution applied (each `old` must occur).
    static func yaml(_ edits: [(String, String)]) -> String {
        var text = base
        for (old, new) in edits {
            precondition(text.contains(old), "fixture has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    static func diagnostics(
        _ edits: (String, String)..., secret: SecretFileStatus = .ok(length: 16)
    ) throws -> [Diagnostic] {
        try validate(yaml(edits), secret: secret)
    }

    static func validate(_ text: String, secret: SecretFileStatus = .ok(length: 16)) throws -> [Diagnostic] {
        let loaded = try SpecLoader.load(yaml: text)
        return SpecValidator(secretFile: { _ in secret }).validate(loaded)
    }
}

extension Array where Element == Diagnostic {
    /// The one diagnostic at `path`, failing the test with everything found when it is missing.
    func at(_ path: String, _ severity: Diagnostic.Severity = .error, sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
        let found = first { $0.path == path && $0.severity == severity }
        if found == nil {
            Issue.record("no \(severity) at \(path); found:\n\(map { $0.formatted(file: "spec.yaml") }.joined(separator: "\n"))", sourceLocation: sourceLocation)
        }
        return found
    }
}
