import StorageFacts
import StorageModel

extension LIOLiveState {
    /// The host's live LIO through configfs (`LIOConfigfsParser`), or nil when LIO is not loaded
    /// there (no /sys/kernel/config/target: target_core_mod not loaded, or configfs not mounted).
    /// The values hold the ACLs' CHAP secrets: no error quotes them.
    public static func read(_ files: HostFiles) async throws(SystemError) -> LIOLiveState? {
        guard try await files.exists(LIOConfigfsParser.root) else { return nil }
        let argv = LIOConfigfsParser.treeCommand
        let tree = try await files.run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(60)), "listing LIO's configfs")
        let wanted: [String]
        do { wanted = try LIOConfigfsParser.valueFiles(tree: tree.stdout) } catch { throw unreadable(files, error) }
        var output = ""
        if !wanted.isEmpty {
            let grep = Command("grep", ["-H", "-s", "", "--"] + wanted, timeout: .seconds(60))
            // 1: some files were empty; 2: one went away meanwhile. What was printed is read.
            let values = try await files.run(grep, "reading LIO's configfs values", allowFailure: true)
            guard let code = values.exitCode, code <= 2 else {
                let status = values.exitCode.map { "exit \($0)" } ?? "killed by signal \(values.signal ?? 0)"
                throw SystemError.hostCommand(host: files.host, what: "reading LIO's configfs values",
                                              reason: "grep → \(status): \(values.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            output = values.stdout
        }
        do { return try LIOConfigfsParser.parse(tree: tree.stdout, values: output) } catch { throw unreadable(files, error) }
    }

    static func unreadable(_ files: HostFiles, _ error: ToolOutputError) -> SystemError {
        SystemError.hostCommand(host: files.host, what: "reading LIO's configfs", reason: error.description)
    }
}
