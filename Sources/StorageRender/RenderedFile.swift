import StorageModel

/// One file storagekit manages on a host, fully rendered.
public struct RenderedFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// storagekit owns the whole file.
        case whole
        /// storagekit owns only the lines between these markers (e.g. in /etc/fstab).
        case managedBlock(begin: String, end: String, supersedes: [String] = [])
    }

    /// Absolute path on the host (`/etc/exports`).
    public var path: String
    public var mode: UInt16
    public var content: String
    public var kind: Kind
    /// What the file is for, in a few words, for plans and `--json`.
    public var purpose: String
    /// The content carries a secret: never shown in plans, diffs or logs.
    public var containsSecret: Bool

    public init(path: String, mode: UInt16 = 0o644, content: String, kind: Kind = .whole, purpose: String, containsSecret: Bool = false) {
        self.containsSecret = containsSecret
        self.path = path
        self.mode = mode
        self.content = content
        self.kind = kind
        self.purpose = purpose
    }

    public var sha256: String { RenderedFile.sha256(of: content) }

    public static func sha256(of content: String) -> String { sha256Hex(content) }
}
