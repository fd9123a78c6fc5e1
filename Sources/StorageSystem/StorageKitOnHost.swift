import Foundation
import StorageModel

/// The storagekit program that commands run on a host (facts sessions, iSCSI logins, the canary
/// VM's side): `StorageKitInstall.program`, with this very binary for lab and local hosts.
public enum StorageKitOnHost {
    public static func argv(on host: StorageModel.Host, in spec: ClusterSpec) -> [String] {
        [StorageKitInstall.program(on: host, in: spec, local: selfPath)]
    }

    /// The running binary (`/proc/self/exe`), nil where it cannot be read.
    public static var selfPath: String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
