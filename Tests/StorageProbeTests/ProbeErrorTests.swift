import Testing
import StorageFacts
@testable import StorageProbe

/// libiscsi's login messages, as it printed them against tgtd 1.0.85 in the lab, mapped to
/// errors an admin can act on.
@Suite struct ProbeErrorTests {
    @Test func loginMessagesBecomeTypedErrors() {
        let auth = ProbeError.login(
            "Failed to log in to target. Status: Authentication failure(513)", portal: "10.99.1.5:3260", target: "iqn.t:a", initiator: "iqn.i:hv1")
        #expect(auth == .authFailed(portal: "10.99.1.5:3260", target: "iqn.t:a"))
        #expect(auth.code == .authFailed)
        #expect(auth.failure == ProbeFailure(.authFailed, auth.description))
        let acl = ProbeError.login("Failed to log in to target. Status: Target not found(515)", portal: "p", target: "iqn.t:a", initiator: "iqn.i:hv3")
        #expect(acl == .notInACL(portal: "p", target: "iqn.t:a", initiator: "iqn.i:hv3"))
        #expect(acl.description.contains("iqn.i:hv3") && acl.description.contains("ACL"))
        let other = ProbeError.login("Failed to log in to target. Status: Target moved temporarily(257)", portal: "p", target: "t", initiator: "i")
        #expect(other == .loginRejected(portal: "p", reason: "Failed to log in to target. Status: Target moved temporarily(257)"))
    }

    @Test func everyErrorHasACodeAndASentence() {
        let errors: [ProbeError] = [
            .connectionRefused(portal: "p"), .connectTimeout(portal: "p", step: "TCP connect"), .unreachable(portal: "p", reason: "No route to host"),
            .noTargets(portal: "p", initiator: "i"), .mountDenied(server: "s", export: "/e"), .nfs(server: "s", step: "mount", message: "m"),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        #expect(errors.allSatisfy { !$0.description.isEmpty && !$0.description.contains("Optional(") })
        #expect(ProbeError.connectTimeout(portal: "10.99.2.5:3260", step: "TCP connect").description.contains("firewall"))
        // What the connect before the protocol found: only its own failures say the port is not open.
        #expect(errors.map(\.reach) == [.refused, .timeout, .unreachable, .open, .open, .open])
    }

    @Test func aClosedLocalPortIsRefusedNotTimedOut() {
        // 127.0.0.1:1 — nothing listens there; refused at once.
        #expect(TCPProbe.connect("127.0.0.1", port: 1, timeout: .seconds(1)) == .refused)
        #expect(TCPProbe.connect("not-an-address", port: 1, timeout: .seconds(1)) == .unreachable)
        #expect(TCPProbe.attempt("not-an-address", port: 1, timeout: .seconds(1)).why == "not-an-address is not an IPv4 address")
    }
}
