import Foundation
import StorageFacts
#if canImport(Glibc)
import Glibc
#endif

/// Whether a TCP port answers, with its own deadline: a refused port and a blackholed one
/// (firewall DROP) must read differently, and neither as an iSCSI or NFS error.
public enum TCPProbe {
    public static func connect(_ address: String, port: Int, timeout: Duration) -> Reach {
        attempt(address, port: port, timeout: timeout).reach
    }

    /// The outcome, and for `unreachable` the system's words for why.
    static func attempt(_ address: String, port: Int, timeout: Duration) -> (reach: Reach, why: String?) {
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &target.sin_addr) == 1 else { return (.unreachable, "\(address) is not an IPv4 address") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return (.unreachable, String(cString: strerror(errno))) }
        defer { close(fd) }
        let started = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if started == 0 { return (.open, nil) }
        guard errno == EINPROGRESS else { return errno == ECONNREFUSED ? (.refused, nil) : (.unreachable, String(cString: strerror(errno))) }
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(timeout.milliseconds)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready == 0 { return (.timeout, nil) }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        switch error {
        case 0: return (.open, nil)
        case ECONNREFUSED: return (.refused, nil)
        default: return (.unreachable, String(cString: strerror(error)))
        }
    }
}

extension TCPProbe {
    /// A connect before a protocol step, so a refused and a dropped port fail as themselves
    /// (`ADDR:PORT refused`, `did not answer`) rather than as a protocol error.
    static func require(_ address: String, port: Int, timeout: Duration, step: String) throws(ProbeError) {
        let portal = "\(address):\(port)"
        let outcome = attempt(address, port: port, timeout: max(timeout, .milliseconds(1)))
        switch outcome.reach {
        case .open: return
        case .refused: throw .connectionRefused(portal: portal)
        case .timeout: throw .connectTimeout(portal: portal, step: step)
        case .unreachable: throw .unreachable(portal: portal, reason: outcome.why ?? "unreachable")
        }
    }

    /// `connect` on a thread of its own: the poll blocks, and Swift's cooperative pool (one
    /// thread per core) must not wait on dozens of them.
    public static func reach(_ address: String, port: Int, timeout: Duration) async -> Reach {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: connect(address, port: port, timeout: timeout)) }.start()
        }
    }
}

