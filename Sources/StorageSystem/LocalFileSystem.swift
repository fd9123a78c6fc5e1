#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, with every absolute path taken under `root` (`/` for the live system).
public struct LocalFileSystem: FileSystem {
    public let root: String

    /// A relative `root` is taken from the working directory (`render --root out`): built from
    /// `/` instead, its directories would be created at the top of the machine's file system.
    public init(root: String = "/") {
        var root = root
        if !root.hasPrefix("/") {
            if let cwd = getcwd(nil, 0) {
                let directory = String(cString: cwd)
                free(cwd)
                root = (directory == "/" ? "" : directory) + "/" + root
            }
        }
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public func hostPath(_ path: String) -> String {
        root == "/" ? path : root + (path.hasPrefix("/") ? path : "/" + path)
    }

    public func read(_ path: String) throws(SystemError) -> String? {
        let full = hostPath(path)
        let fd = open(full, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure(path, "read")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read")
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func status(_ path: String) throws(SystemError) -> FileStatus? {
        var info = stat()
        if stat(hostPath(path), &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(path, "stat")
        }
        return FileStatus(mode: UInt16(info.st_mode & 0o7777), size: Int(info.st_size))
    }

    /// Write to a temporary file beside the target, fsync, rename over the target, fsync the
    /// directory: a crash leaves the old or the new file, and a full disk leaves the old one.
    public func write(_ path: String, contents: String, mode: UInt16) throws(SystemError) {
        let full = hostPath(path)
        let directory = parent(of: full)
        try makeDirectories(directory, for: path)
        let temporary = "\(directory)/.\(full.split(separator: "/").last ?? "file").storagekit-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        if fd < 0 { throw failure(path, "create a temporary file for") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = failure(path, "write")
                close(fd)
                throw error
            }
            written += count
        }
        // umask must not weaken or widen what the spec asked for.
        if fchmod(fd, mode_t(mode)) != 0 || fsync(fd) != 0 {
            let error = failure(path, "write")
            close(fd)
            throw error
        }
        close(fd)
        if rename(temporary, full) != 0 { throw failure(path, "replace") }
        ok = true
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    private func makeDirectories(_ directory: String, for path: String) throws(SystemError) {
        var current = ""
        for component in directory.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw failure(path, "create directory \(current) for")
            }
        }
    }

    private func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private func failure(_ path: String, _ operation: String) -> SystemError {
        SystemError.fileSystem(hostPath(path), operation: operation, reason: String(cString: strerror(errno)))
    }
}
