import Foundation

/// `diff -u` of two texts, labelled with the file's path (the real tool, run locally on
/// temporary copies).
public enum UnifiedDiff {
    public static func make(old: String?, new: String, path: String, runner: any CommandRunner = SubprocessRunner()) async -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("storagekit-diff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let before = directory.appendingPathComponent("old"), after = directory.appendingPathComponent("new")
            try Data((old ?? "").utf8).write(to: before)
            try Data(new.utf8).write(to: after)
            let result = try await runner.run(Command("diff", [
                "-u", "--label", old == nil ? "/dev/null" : "a\(path)", "--label", "b\(path)", before.path, after.path,
            ]))
            return result.stdout
        } catch {
            return "(no diff: \(error))\n"
        }
    }
}
