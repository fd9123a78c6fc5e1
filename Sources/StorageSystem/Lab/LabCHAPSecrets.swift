import Foundation
import StorageModel

/// The lab needs CHAP secrets that nobody has yet: random ones, mode 600, each made once.
public enum LabCHAPSecrets {
    /// `created` gets each file as it is made.
    public static func createMissing(_ spec: ClusterSpec, created: (String) -> Void) throws(SystemError) {
        for chap in (spec.iscsi?.targets ?? []).compactMap(\.chap) where !FileManager.default.fileExists(atPath: chap.secretFile) {
            var generator = SystemRandomNumberGenerator()
            let secret = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            do {
                try FileManager.default.createDirectory(atPath: (chap.secretFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try LocalFileSystem().write(chap.secretFile, contents: secret + "\n", mode: 0o600)
            } catch {
                throw SystemError(.fileSystem, "cannot create the lab's CHAP secret \(chap.secretFile): \(error)", reason: "\(error)")
            }
            created(chap.secretFile)
        }
    }
}
