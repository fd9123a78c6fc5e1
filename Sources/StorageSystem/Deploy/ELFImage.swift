import Foundation

/// What `deploy` needs to know of an x86-64 Linux executable, read from its ELF headers: the
/// shared libraries it needs (`DT_NEEDED`) and the linker's build id (`NT_GNU_BUILD_ID`).
public struct ELFImage: Sendable, Equatable {
    public var needed: [String]
    /// Hex, as `readelf -n` and `file` print it; nil when the linker wrote none.
    public var buildID: String?

    public init(needed: [String], buildID: String?) {
        self.needed = needed
        self.buildID = buildID
    }

    /// Whether the Swift runtime is linked in (`--static-swift-stdlib`), not a library the host
    /// must have.
    public var hasStaticSwiftRuntime: Bool { !needed.contains { $0.hasPrefix("libswiftCore") } }

    public static func read(path: String) throws(SystemError) -> ELFImage {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw .binary(path, reason: "cannot be read: \(error.localizedDescription)")
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws(SystemError) -> ELFImage {
        var reader = Reader(data: data, path: path)
        guard data.count >= 64, data.prefix(4).elementsEqual([0x7F, 0x45, 0x4C, 0x46]) else { throw reader.error("is not an ELF file") }
        guard data[data.startIndex + 4] == 2, data[data.startIndex + 5] == 1 else { throw reader.error("is not a 64-bit little-endian ELF file") }
        let headerOffset = try reader.integer(at: 0x20, size: 8)
        let headerSize = try reader.integer(at: 0x36, size: 2)
        let headerCount = try reader.integer(at: 0x38, size: 2)
        guard headerSize >= 56 else { throw reader.error("has program headers of \(headerSize) bytes") }
        // Every offset and size is checked against the file before any sum: a corrupt header
        // is an error, never an arithmetic overflow.
        guard headerOffset <= data.count else { throw reader.error("is cut short (an offset points past its end)") }
        var segments: [Segment] = []
        for index in 0..<headerCount {
            let base = headerOffset + index * headerSize
            let segment = Segment(
                type: try reader.integer(at: base, size: 4), offset: try reader.integer(at: base + 8, size: 8),
                address: try reader.integer(at: base + 16, size: 8), size: try reader.integer(at: base + 32, size: 8))
            guard segment.offset <= data.count, segment.size <= data.count - segment.offset else {
                throw reader.error("is cut short (a segment reaches past its end)")
            }
            segments.append(segment)
        }
        return ELFImage(needed: try needed(segments, &reader), buildID: try buildID(segments, &reader))
    }

    struct Segment {
        static let load = 1, dynamic = 2, note = 4
        var type: Int
        var offset: Int
        var address: Int
        var size: Int
    }

    private static func needed(_ segments: [Segment], _ reader: inout Reader) throws(SystemError) -> [String] {
        guard let dynamic = segments.first(where: { $0.type == Segment.dynamic }) else { return [] }
        var names: [Int] = []
        var table: Int?
        for entry in stride(from: dynamic.offset, to: dynamic.offset + dynamic.size, by: 16) {
            let tag = try reader.integer(at: entry, size: 8), value = try reader.integer(at: entry + 8, size: 8)
            if tag == 0 { break }
            if tag == 1 { names.append(value) }
            if tag == 5 { table = value }
        }
        guard !names.isEmpty else { return [] }
        guard let table, let load = segments.first(where: { $0.type == Segment.load && $0.address <= table && table - $0.address < $0.size }) else {
            throw reader.error("names shared libraries but has no string table to read them from")
        }
        let start = load.offset + (table - load.address)
        return try names.map { (name) throws(SystemError) in try reader.string(at: start + name) }
    }

    private static func buildID(_ segments: [Segment], _ reader: inout Reader) throws(SystemError) -> String? {
        for note in segments where note.type == Segment.note {
            var cursor = note.offset
            while cursor + 12 <= note.offset + note.size {
                let nameSize = try reader.integer(at: cursor, size: 4), descriptionSize = try reader.integer(at: cursor + 4, size: 4)
                let type = try reader.integer(at: cursor + 8, size: 4)
                guard nameSize <= reader.data.count, descriptionSize <= reader.data.count else { throw reader.error("has a note larger than the file") }
                let name = cursor + 12, description = name + (nameSize + 3) / 4 * 4
                if type == 3, nameSize == 4, try reader.string(at: name) == "GNU" {
                    return try reader.bytes(at: description, count: descriptionSize).map { String(format: "%02x", $0) }.joined()
                }
                cursor = description + (descriptionSize + 3) / 4 * 4
            }
        }
        return nil
    }

    struct Reader {
        let data: Data
        let path: String

        func error(_ reason: String) -> SystemError { .binary(path, reason: reason) }

        func bytes(at offset: Int, count: Int) throws(SystemError) -> [UInt8] {
            guard offset >= 0, count >= 0, offset <= data.count, count <= data.count - offset else { throw error("is cut short (an offset points past its end)") }
            let start = data.startIndex + offset
            return Array(data[start..<start + count])
        }

        func integer(at offset: Int, size: Int) throws(SystemError) -> Int {
            let raw = try bytes(at: offset, count: size)
            let value = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard value <= UInt64(Int.max) else { throw error("has a field too large to be an offset") }
            return Int(value)
        }

        func string(at offset: Int) throws(SystemError) -> String {
            guard offset >= 0, offset < data.count else { throw error("is cut short (a name points past its end)") }
            let start = data.startIndex + offset
            guard let end = data[start...].firstIndex(of: 0) else { throw error("has a name with no end") }
            return String(decoding: data[start..<end], as: UTF8.self)
        }
    }
}

extension SystemError {
    /// The binary at `path` is not one `deploy` can send: `reason` says why.
    public static func binary(_ path: String, reason: String) -> SystemError {
        SystemError(.binary, "\(path) \(reason)", reason: reason)
    }
}
