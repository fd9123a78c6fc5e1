import Foundation
import Testing

extension Tag {
    /// Brings a namespace lab up (network namespaces, bridges, iptables rules in them).
    @Tag public static var lab: Self
    /// Boots qemu guests (the kernel lab); scripts/test runs these alone, one suite at a time.
    @Tag public static var kernelLab: Self
}

/// Whether this test process may bring a lab up.
public enum LabAccess {
    /// Set to 1 (`scripts/test --fast`) to skip every lab suite.
    public static let skipVariable = "STORAGEKIT_SKIP_LABS"

    /// Why a lab cannot be brought up here, or nil when it can.
    public static func unavailable(uid: UInt32 = getuid(), environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if environment[skipVariable] == "1" { return "\(skipVariable)=1: lab suites are not run (scripts/test --fast)" }
        if uid != 0 { return "needs root: a lab creates network namespaces, bridges and iptables rules (run the tests as root)" }
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// A suite or test that brings a lab up: skipped, saying why, where it cannot.
    public static var needsLab: Self {
        let reason = LabAccess.unavailable()
        return .enabled(if: reason == nil, Comment(rawValue: reason ?? "a lab can be brought up"))
    }

    /// A test that needs root but no lab (another user's view, a private mount namespace):
    /// skipped as any other user, saying `why`.
    public static func needsRoot(_ why: String) -> Self {
        .enabled(if: getuid() == 0, Comment(rawValue: "needs root: \(why)"))
    }
}
