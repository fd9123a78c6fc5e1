import Foundation
import StorageFacts
#if canImport(Glibc)
import Glibc
#endif

/// Many ports of one address at once, on one thread with one poll: libvirt hands an incoming
/// migration any port of its range, so every one of them must get through, and 64 connects
/// each on a thread of its own would cost 64 threads per peer.
public enum TCPPortSweep {
    public static func reach(_ address: String, ports: [Int], timeout: Duration) async -> [Int: Reach] {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: sweep(address, ports: ports, timeout: timeout)) }.start()
        }
    }

    /// Starts every connect, then polls them together until each has an outcome or the deadline
    /// has passed; one last look without waiting counts what arrived meanwhile.
    public static func sweep(_ address: String, ports: [Int], timeout: Duration) -> [Int: Reach] {
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, address, &target.sin_addr) == 1 else {
            return Dictionary(uniqueKeysWithValues: ports.map { ($0, .unreachable) })
        }
        var outcomes: [Int: Reach] = [:]
        var pending: [(port: Int, fd: Int32)] = []
        defer { for entry in pending { close(entry.fd) } }
        for port in ports {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { outcomes[port] = .unreachable; continue }
            var address = target
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let started = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if started == 0 { outcomes[port] = .open; close(fd); continue }
            if errno != EINPROGRESS { outcomes[port] = errno == ECONNREFUSED ? .refused : .unreachable; close(fd); continue }
            pending.append((port, fd))
        }
        let deadline = ContinuousClock.now + timeout
        var lastLook = false
        while !pending.isEmpty {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { if lastLook { break }; lastLook = true }
            var descriptors = pending.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), lastLook ? 0 : Int32(max(1, remaining.milliseconds.rounded(.up))))
            if ready <= 0 { continue }
            var still: [(port: Int, fd: Int32)] = []
            for (index, entry) in pending.enumerated() {
                guard descriptors[index].revents != 0 else { still.append(entry); continue }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &error, &length)
                outcomes[entry.port] = switch error {
                case 0: .open
                case ECONNREFUSED: .refused
                default: .unreachable
                }
                close(entry.fd)
            }
            pending = still
        }
        for entry in pending { outcomes[entry.port] = .timeout }
        return outcomes
    }

    /// Consecutive ports with the same outcome, as (first, last, outcome), in port order.
    public static func runs(_ outcomes: [Int: Reach]) -> [(first: Int, last: Int, outcome: Reach)] {
        var result: [(first: Int, last: Int, outcome: Reach)] = []
        for port in outcomes.keys.sorted() {
            let outcome = outcomes[port]!
            if let last = result.last, last.last == port - 1, last.outcome == outcome {
                result[result.count - 1].last = port
            } else {
                result.append((port, port, outcome))
            }
        }
        return result
    }
}
