import ArgumentParser
import StorageSystem

struct BuildInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-info",
        abstract: "Say which build this storagekit is: version, build id, and whether hosts can run it.",
        discussion: """
            The build id is the linker's (the same for a binary and its stripped copy): `deploy` \
            compares it to skip hosts that already have this build, and `check` warns about a \
            host that answers with another. Hosts need a release build with the Swift runtime \
            linked in (`swift build -c release --static-swift-stdlib`).

            Exit status: 0, or 1 when this binary cannot be read.
            """)

    @Flag(help: "Print one JSON document: {version, buildID, configuration, swiftRuntime, needs}.") var json = false

    func run() throws {
        let info: BuildInfo
        do { info = try BuildInfo.running(version: StorageKit.version) } catch {
            Console.error("error: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(try info.encoded())
            return
        }
        print("storagekit \(info.version)")
        print("build id:      \(info.buildID ?? "none (the linker wrote none)")")
        print("configuration: \(info.configuration.rawValue)")
        print("Swift runtime: \(info.swiftRuntime == .static ? "linked in (static)" : "from this machine's toolchain (dynamic)")")
        print("needs:         \(info.needs.joined(separator: ", "))")
        print(info.unfitForHosts.map { "hosts:         not fit: \($0)" } ?? "hosts:         fit to deploy")
    }
}
