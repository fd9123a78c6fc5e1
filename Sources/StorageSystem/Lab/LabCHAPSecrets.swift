import Foundation
import StorageModel

/// The lab needs CHAP secrets that nobody has yet: random ones, mode 600, each made once.
public enum LabCHAPSecrets {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "cannot create the lab's CHAP secret \(file): \(reason)" }
    }

    /// `created` gets each file as it is made.
    public static func createMissing(_ spec: ClusterSpec, created: (String) -> Void) throws(Failure) {
        for chap in (spec.iscsi?.targets ?? []).compactMap(\.chap) where !FileManager.default.fileExists(atPath: chap.secretFile) {
            var generator = SystemRandomNumberGenerator()
            let secret = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            do {
                try FileManager.default.createDirectory(atPath: (chap.secretFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try LocalFileSystem().write(chap.secretFile, contents: secret + "\n", mode: 0o600)
            } catch {
                throw Failure(file: chap.secretFile, reason: "\(error)")
            }
            created(chap.secretFile)
        }
    }
}
