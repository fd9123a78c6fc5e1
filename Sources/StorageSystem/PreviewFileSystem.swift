/// Reads from a real file system and keeps writes in memory: `--dry-run` runs the same code
/// path as a real write without touching anything.
public struct PreviewFileSystem: FileSystem {
    private let base: any FileSystem
    private let overlay = InMemoryFileSystem()

    public init(base: any FileSystem) {
        self.base = base
    }

    public func read(_ path: String) throws(SystemError) -> String? {
        if let pending = try overlay.read(path) { return pending }
        return try base.read(path)
    }

    public func write(_ path: String, contents: String, mode: UInt16) throws(SystemError) {
        try overlay.write(path, contents: contents, mode: mode)
    }

    public func status(_ path: String) throws(SystemError) -> FileStatus? {
        if let pending = try overlay.status(path) { return pending }
        return try base.status(path)
    }
}
