import StorageCheck
import StorageFacts
import StorageSystem

/// qemu's account on this host (libvirt-qemu on Debian, qemu on RHEL), from `getent passwd`:
/// who writes the images on a root-squashed export, and who a rehearsal's canary runs as.
enum QemuAccount {
    /// nil when neither account exists.
    static func lookup(_ runner: any CommandRunner) async -> UserFacts? {
        for name in UserFacts.qemuAccountNames {
            if let result = try? await runner.run(Command("getent", ["passwd", name], timeout: .seconds(5))), result.succeeded,
                let user = SystemFactsParsers.passwd(result.stdout) {
                return user
            }
        }
        return nil
    }
}
