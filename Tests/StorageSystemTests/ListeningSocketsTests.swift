import Foundation
import Testing
@testable import StorageSystem

#if canImport(Glibc)
import Glibc
#endif

/// How a lab daemon's start is judged ready: it holds a listening TCP socket.
@Suite struct ListeningSocketsTests {
    @Test func onlyListenRowsCountAndFdLinksGiveTheirInodes() {
        // /proc/net/tcp inside the lab's nfs namespace with rpcbind up and one connection.
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:006F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 81234 1 0000000000000000 100 0 0 10 0
               1: 0901630A:0801 0B01630A:03FF 01 00000000:00000000 00:00000000 00000000     0        0 81299 1 0000000000000000 20 4 30 10 -1
            """
        #expect(ListeningSockets.listeningInodes(procNetTCP: table) == ["81234"])
        #expect(ListeningSockets.socketInode(fdLink: "socket:[81234]") == "81234")
        #expect(ListeningSockets.socketInode(fdLink: "/dev/null") == nil)
        #expect(ListeningSockets.socketInode(fdLink: "pipe:[77]") == nil)
    }

    @Test func aProcessIsListeningOnceItListensAndNotBefore() throws {
        // A process without sockets (spawned first: it would inherit the one below).
        let sleeper = try DetachedProcess.spawn(["sleep", "30"], log: "/dev/null")
        defer { kill(sleeper, SIGKILL) }
        #expect(!ListeningSockets.isListening(sleeper))

        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0)
        #expect(listen(descriptor, 4) == 0)
        #expect(ListeningSockets.isListening(getpid()))
    }
}
