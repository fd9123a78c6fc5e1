import Synchronization

/// A file system in memory, for unit tests of anything that writes.
public final class InMemoryFileSystem: FileSystem {
    private let files: Mutex<[String: (contents: String, mode: UInt16)]>

    public init(files: [String: String] = [:]) {
        self.files = Mutex(files.mapValues { ($0, 0o644) })
    }

    public func read(_ path: String) throws(SystemError) -> String? {
        files.withLock { $0[path]?.contents }
    }

    public func write(_ path: String, contents: String, mode: UInt16) throws(SystemError) {
        files.withLock { $0[path] = (contents, mode) }
    }

    public func status(_ path: String) throws(SystemError) -> FileStatus? {
        files.withLock { $0[path].map { FileStatus(mode: $0.mode, size: $0.contents.utf8.count) } }
    }

    public var paths: [String] { files.withLock { $0.keys.sorted() } }
}
