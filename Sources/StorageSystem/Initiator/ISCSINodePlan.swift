import StorageFacts
import StorageModel

/// One open-iscsi node record a hypervisor needs: a target through one portal, with the
/// settings storagekit manages on it.
public struct ISCSINode: Sendable, Equatable {
    public var target: String
    /// `ADDR:PORT` as iscsiadm's `-p` takes it.
    public var portal: String
    /// `node.*` settings; CHAP's password is not here (it comes from `chapSecretFile`).
    public var settings: [(name: String, value: String)]
    public var chapSecretFile: String?

    public static func == (lhs: ISCSINode, rhs: ISCSINode) -> Bool {
        lhs.target == rhs.target && lhs.portal == rhs.portal && lhs.chapSecretFile == rhs.chapSecretFile
            && lhs.settings.map { "\($0.name)=\($0.value)" } == rhs.settings.map { "\($0.name)=\($0.value)" }
    }

    /// Logged in at boot; I/O queued for 15 s when a path dies, then failed over by multipath
    /// (open-iscsi's default of 120 s would freeze the guests on a portal failure).
    public static let replacementTimeout = 15

    /// Every target the host may log in to, through every portal of it.
    public static func all(_ spec: ClusterSpec, host: Host) -> [ISCSINode] {
        (spec.iscsi?.targets ?? []).filter { target in
            target.initiators.contains(host.name) || target.initiators.contains(spec.initiatorName(of: host))
        }.flatMap { target in
            spec.portals(of: target).map { portal in
                var settings = [("node.startup", "automatic"), ("node.session.timeo.replacement_timeout", String(replacementTimeout))]
                if let chap = target.chap {
                    settings += [("node.session.auth.authmethod", "CHAP"), ("node.session.auth.username", chap.username)]
                }
                return ISCSINode(target: target.iqn, portal: "\(portal.address):\(portal.port)", settings: settings, chapSecretFile: target.chap?.secretFile)
            }
        }
    }
}

/// `iscsiadm -m session` ("tcp: [1] 10.99.1.5:3260,1 iqn.… (non-flash)"); exit 21 means none.
public enum ISCSISessionListParser {
    public struct Session: Sendable, Equatable {
        public var id: Int
        public var portal: String
        public var target: String
    }

    public static func parse(_ output: String) -> [Session] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 4, fields[1].hasPrefix("["), let id = Int(fields[1].dropFirst().dropLast()) else { return nil }
            let portal = fields[2].split(separator: ",").first.map(String.init) ?? ""
            return Session(id: id, portal: portal, target: String(fields[3]))
        }
    }
}

/// `iscsiadm -m node -T IQN -p PORTAL` prints "name = value" lines.
public enum ISCSINodeSettingsParser {
    public static func parse(_ output: String) -> [String: String] {
        var settings: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            settings[parts[0].trimmingCharacters(in: " ")] = parts[1].trimmingCharacters(in: " ")
        }
        return settings
    }
}
