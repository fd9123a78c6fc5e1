/// Restores an apply's backup on a host, by its MANIFEST ("replaced PATH" / "created PATH").
public struct BackupRestorer: Sendable {
    let files: HostFiles

    public init(files: HostFiles) {
        self.files = files
    }

    public func newest() async throws(HostCommandError) -> String? {
        let listing = try await files.run(["ls", "-1", Applier.backupRoot], "listing backups", allowFailure: true)
        return listing.stdout.split(separator: "\n").map(String.init).sorted().last
    }

    /// What was (or would be) done, in order.
    public func restore(_ name: String, dryRun: Bool) async throws(HostCommandError) -> [String] {
        let directory = "\(Applier.backupRoot)/\(name)"
        guard let manifest = try await files.read("\(directory)/MANIFEST") else {
            throw HostCommandError(host: files.host, what: "reading \(directory)/MANIFEST", reason: "no such backup")
        }
        var steps: [String] = []
        for line in manifest.content.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let path = parts[1]
            if parts[0] == "replaced" {
                if !dryRun {
                    let staged = "\(HostFiles.directory(of: path))/.\(HostFiles.baseName(of: path)).storagekit-restore"
                    try await files.run(["cp", "-a", "--", directory + path, staged], "copying the backup of \(path)")
                    try await files.commit(staged, to: path)
                }
                steps.append("restore \(path)")
            } else if parts[0] == "created" {
                if !dryRun { try await files.remove(path) }
                steps.append("remove \(path) (apply created it)")
            }
        }
        return steps
    }
}
