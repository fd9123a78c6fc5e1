import StorageModel

/// Reads CHAP secret files for rendering and inspects them for validation. The secret's text
/// goes only into the 0600 file that needs it, never into logs or JSON.
public struct SecretFiles: Sendable {
    public let fileSystem: any FileSystem

    public init(fileSystem: any FileSystem) {
        self.fileSystem = fileSystem
    }

    public func inspect(_ path: String) -> SecretFileStatus {
        do {
            guard let status = try fileSystem.status(path) else { return .missing }
            guard let text = try fileSystem.read(path) else { return .missing }
            let length = Self.secret(from: text).count
            return status.mode & 0o077 != 0 ? .readableByOthers(mode: status.mode, length: length) : .ok(length: length)
        } catch {
            return .unreadable(reason: error.reason ?? error.message)
        }
    }

    /// Secrets by file path; a file that cannot be read is left out (rendering then says which).
    public func read(_ paths: [String]) -> [String: String] {
        var secrets: [String: String] = [:]
        for path in paths {
            if let text = try? fileSystem.read(path) { secrets[path] = Self.secret(from: text) }
        }
        return secrets
    }

    /// Every CHAP secret the spec's targets name, by file.
    public func chapSecrets(of spec: ClusterSpec) -> [String: String] {
        read((spec.iscsi?.targets ?? []).compactMap { $0.chap?.secretFile })
    }

    /// The first line, without its newline and surrounding blanks.
    static func secret(from text: String) -> String {
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return line.trimmingCharacters(in: " \t\r")
    }
}
