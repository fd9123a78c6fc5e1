import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// QEMU's machine protocol on a unix socket, spoken by storagekit itself (no socat or python on
/// the hosts): one JSON object per line; a greeting, `qmp_capabilities`, then commands answered
/// with `{"return": …}` or `{"error": {"class", "desc"}}`, events interleaved (skipped here).
public final class QMPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects and negotiates capabilities; `within` bounds each exchange.
    public init(socket path: String, within: Duration = .seconds(10)) throws(SystemError) {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .qmpConnect(path, errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw .qmpConnect(path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let number = errno
            close(fd)
            throw .qmpConnect(path, errno: number)
        }
        descriptor = fd
        let deadline = ContinuousClock.now + within
        _ = try readObject(for: "the greeting", until: deadline)
        _ = try execute("qmp_capabilities", within: within)
    }

    deinit { close(descriptor) }

    /// Runs one command; its `return` value.
    @discardableResult
    public func execute(_ command: String, _ arguments: [String: Any]? = nil, within: Duration = .seconds(10)) throws(SystemError) -> Any {
        var message: [String: Any] = ["execute": command]
        if let arguments { message["arguments"] = arguments }
        guard let data = try? JSONSerialization.data(withJSONObject: message) else { throw .qmpUnreadable(command) }
        var line = [UInt8](data)
        line.append(UInt8(ascii: "\n"))
        var sent = 0
        while sent < line.count {
            let wrote = line[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if wrote <= 0 { throw .qmpClosed(command) }
            sent += wrote
        }
        let deadline = ContinuousClock.now + within
        while true {
            let object = try readObject(for: command, until: deadline)
            if object["event"] != nil { continue }
            if let error = object["error"] as? [String: Any] {
                throw .qmpRefused(command: command, desc: error["desc"] as? String ?? "")
            }
            if let value = object["return"] { return value }
        }
    }

    private func readObject(for command: String, until deadline: ContinuousClock.Instant) throws(SystemError) -> [String: Any] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard !line.isEmpty else { continue }
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                    throw .qmpUnreadable(String(decoding: line, as: UTF8.self))
                }
                return object
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw .qmpTimedOut(command) }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1, 1000))
            guard poll(&waiting, 1, milliseconds) >= 0 || errno == EINTR else { throw .qmpClosed(command) }
            guard waiting.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { throw .qmpClosed(command) }
            buffer += chunk[..<count]
        }
    }
}

/// QEMU's machine protocol failures: the socket, its answers, QEMU's own refusal of a command.
extension SystemError {
    static func qmpConnect(_ path: String, errno number: Int32) -> SystemError {
        SystemError(.qmp, "cannot connect to qemu's QMP socket \(path): \(String(cString: strerror(number)))", reason: String(cString: strerror(number)))
    }

    static func qmpClosed(_ command: String) -> SystemError {
        SystemError(.qmp, "qemu closed its QMP socket during \(command) (it ended)", command: command)
    }

    static func qmpTimedOut(_ command: String) -> SystemError {
        SystemError(.timedOut, "qemu did not answer \(command) in time", command: command)
    }

    static func qmpUnreadable(_ line: String) -> SystemError {
        SystemError(.qmp, "qemu's QMP answer is not JSON: \(line.prefix(200))")
    }

    /// QEMU's own refusal of a command: its text.
    static func qmpRefused(command: String, desc: String) -> SystemError {
        SystemError(.qmp, "\(command): \(desc)", command: command, reason: desc)
    }
}
