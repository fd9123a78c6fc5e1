import Foundation
#if canImport(Glibc)
import Glibc
#endif
import StorageProbe
import Testing

/// The migration range in one sweep: a listener reads open, the rest refused, all on loopback.
@Suite struct TCPPortSweepTests {
    /// A listening socket on 127.0.0.1 at a port the kernel picks.
    static func listener() throws -> (fd: Int32, port: Int) {
        // CLOEXEC: a process another test spawns meanwhile must not inherit a listening socket.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aListenerInTheRangeIsOpenAndTheRestRefusedInRuns() async throws {
        let (fd, port) = try Self.listener()
        defer { close(fd) }
        let range = (port - 3)...(port + 2)
        let outcomes = await TCPPortSweep.reach("127.0.0.1", ports: Array(range), timeout: .seconds(2))
        #expect(outcomes.count == range.count)
        #expect(outcomes[port] == .open)
        let runs = TCPPortSweep.runs(outcomes)
        #expect(runs.map(\.first) == [port - 3, port, port + 1])
        #expect(runs.map(\.last) == [port - 1, port, port + 2])
        #expect(runs.map(\.outcome) == [.refused, .open, .refused])
    }

    @Test func portsApartAreNeverOneRunEvenWhenTheyAnswerAlike() async throws {
        let (fd, port) = try Self.listener()
        defer { close(fd) }
        let outcomes = await TCPPortSweep.reach("127.0.0.1", ports: [port - 2, port + 2], timeout: .seconds(2))
        let runs = TCPPortSweep.runs(outcomes)
        #expect(runs.map(\.first) == [port - 2, port + 2])
        #expect(runs.map(\.last) == [port - 2, port + 2])
        #expect(runs.allSatisfy { $0.outcome == .refused })
    }

    @Test func anAddressThatIsNotOneSaysSoForEveryPort() {
        let outcomes = TCPPortSweep.sweep("hv2", ports: [1, 2, 3], timeout: .milliseconds(100))
        #expect(outcomes.values.allSatisfy { $0 == .unreachable } && outcomes.count == 3)
    }
}
