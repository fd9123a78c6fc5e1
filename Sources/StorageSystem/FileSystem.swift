import StorageFacts

/// What storagekit needs of a file system; every write goes through one, rooted at `--root`.
public protocol FileSystem: Sendable {
    /// The file's text, or nil when it does not exist.
    func read(_ path: String) throws(SystemError) -> String?
    /// Replaces the file atomically (the old or the new content, never half of either), creating
    /// parent directories.
    func write(_ path: String, contents: String, mode: UInt16) throws(SystemError)
    /// Mode bits and size, or nil when the file does not exist.
    func status(_ path: String) throws(SystemError) -> FileStatus?
}

public struct FileStatus: Sendable, Equatable {
    public var mode: UInt16
    public var size: Int
    public init(mode: UInt16, size: Int) {
        self.mode = mode
        self.size = size
    }
}

