import StorageModel
import StorageRender

/// What ended up on disk for one rendered file.
public struct WrittenFile: Sendable, Equatable, Codable {
    public var path: String
    public var mode: String
    public var sha256: String
    public var changed: Bool
    public var purpose: String
}

/// Writes rendered files through a `FileSystem`: whole files replaced atomically, managed blocks
/// merged into what is already there. Unchanged files are not rewritten.
public struct RenderedFileWriter: Sendable {
    public let fileSystem: any FileSystem

    public init(fileSystem: any FileSystem) {
        self.fileSystem = fileSystem
    }

    /// The full content `file` would have on disk.
    public func finalContent(of file: RenderedFile) throws(SystemError) -> String {
        switch file.kind {
        case .whole:
            return file.content
        case .managedBlock(let begin, let end, let supersedes):
            return ManagedBlock.merge(existing: try fileSystem.read(file.path), block: file.content, begin: begin, end: end, supersedes: supersedes)
        }
    }

    public func write(_ files: [RenderedFile]) throws(SystemError) -> [WrittenFile] {
        var written: [WrittenFile] = []
        for file in files {
            let content = try finalContent(of: file)
            let current = try fileSystem.read(file.path)
            let currentMode = try fileSystem.status(file.path)?.mode
            let changed = current != content || currentMode != file.mode
            if changed { try fileSystem.write(file.path, contents: content, mode: file.mode) }
            written.append(WrittenFile(
                path: file.path, mode: String(file.mode, radix: 8).leftPadded(to: 4), sha256: RenderedFile.sha256(of: content),
                changed: changed, purpose: file.purpose))
        }
        return written
    }
}
