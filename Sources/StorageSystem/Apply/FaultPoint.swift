import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Named places where a test may have storagekit SIGKILL itself (STORAGEKIT_FAULT_AT=NAME), to
/// prove that what it leaves behind is safe at exactly that moment. Does nothing otherwise.
public enum FaultPoint: String, Sendable {
    public static let variable = "STORAGEKIT_FAULT_AT"

    /// New firewall rules are live and nothing has confirmed them yet.
    case firewallLoaded = "firewall-loaded"

    public func hit() {
        guard ProcessInfo.processInfo.environment[Self.variable] == rawValue else { return }
        FileHandle.standardError.write(Data("storagekit: fault point \(rawValue) (\(Self.variable)); killing myself\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
