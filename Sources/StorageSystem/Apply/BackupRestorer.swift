/// Restores an apply's backup on a host, by its MANIFEST (`BackupEntry`): the files first,
/// then the live firewall rules, once their files are back.
public struct BackupRestorer: Sendable {
    let context: HostContext
    var files: HostFiles { context.files }

    public init(context: HostContext) {
        self.context = context
    }

    public func newest() async throws(SystemError) -> String? {
        let listing = try await files.run(["ls", "-1", Applier.backupRoot], "listing backups", allowFailure: true)
        return listing.stdout.split(separator: "\n").map(String.init).sorted().last
    }

    /// What was (or would be) done, in order.
    public func restore(_ name: String, dryRun: Bool) async throws -> [String] {
        let directory = "\(Applier.backupRoot)/\(name)"
        guard let manifest = try await files.read("\(directory)/MANIFEST") else {
            throw SystemError.hostCommand(host: files.host, what: "reading \(directory)/MANIFEST", reason: "no such backup")
        }
        let entries: [BackupEntry]
        do {
            entries = try BackupEntry.parse(manifest.content)
        } catch {
            throw SystemError.hostCommand(host: files.host, what: "reading \(directory)/MANIFEST", reason: error.description)
        }
        var firewall: FirewallSnapshot?
        for case .liveFirewall(let file) in entries {
            firewall = try await snapshot("\(directory)/\(file)")
        }
        var steps: [String] = []
        for entry in entries {
            switch entry {
            case .replaced(let path):
                if !dryRun {
                    let staged = "\(HostFiles.directory(of: path))/.\(HostFiles.baseName(of: path)).storagekit-restore"
                    try await files.run(["cp", "-a", "--", directory + path, staged], "copying the backup of \(path)")
                    try await files.commit(staged, to: path)
                }
                steps.append("restore \(path)")
            case .created(let path):
                // A firewall apply lists every file it may create; one that is not there needs nothing.
                guard try await files.exists(path) else { continue }
                if !dryRun { try await files.remove(path) }
                steps.append("remove \(path) (apply created it)")
            case .liveFirewall:
                continue
            }
        }
        if let firewall {
            if !dryRun { try await firewall.restore(context) }
            steps += firewall.steps
        }
        return steps
    }

    private func snapshot(_ file: String) async throws -> FirewallSnapshot {
        guard let saved = try await files.read(file) else {
            throw SystemError.hostCommand(host: files.host, what: "reading \(file)", reason: "the backup lists it but it is gone: nothing was restored")
        }
        do {
            return try FirewallSnapshot.decoded(saved.content)
        } catch {
            throw SystemError.hostCommand(host: files.host, what: "reading \(file)", reason: "not a firewall snapshot storagekit can read (\(error)): nothing was restored")
        }
    }
}
