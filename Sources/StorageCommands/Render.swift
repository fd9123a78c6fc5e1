import ArgumentParser
import StorageModel
import StorageRender
import StorageSystem

struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the files a host needs under a root directory, at their real paths.",
        discussion: """
            Nothing outside --root is touched: render into an empty directory to review the files, \
            or with --root / on the host itself. Whole files are replaced atomically; in shared \
            files (/etc/fstab) only storagekit's marked block changes. Same spec, same bytes.

            Exit status: 0 written, 1 a file could not be written, 2 bad usage or invalid spec.
            """)

    @OptionGroup var options: SpecOptions

    @Option(help: ArgumentHelp("The host to render for (repeatable).", valueName: "name"))
    var host: [String] = []

    @Flag(help: "Render every host of the spec, each under ROOT/<host>/.")
    var all = false

    @Option(help: ArgumentHelp("Directory standing for / of the host.", valueName: "dir"))
    var root: String

    @Flag(help: "Show what would be written, write nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON document listing the files (path, mode, sha256) and nothing else on stdout.")
    var json = false

    func validate() throws {
        if host.isEmpty && !all { throw ValidationError("name a host with --host NAME, or use --all") }
        if !host.isEmpty && all { throw ValidationError("--host and --all exclude each other") }
    }

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: !json, reachesHosts: false)
        let spec = loaded.spec
        let names = all ? spec.hosts.map(\.name) : host
        var reports: [HostReport] = []
        let rendered = await ClusterRender.render(spec, hosts: names)
        for (name, outcome) in zip(names, rendered) {
            let files: [RenderedFile]
            switch outcome {
            case .success(let value): files = value
            case .failure(let error):
                Console.error("error: \(error)")
                throw ExitCode(2)
            }
            let hostRoot = all ? "\(root)/\(name)" : root
            let writer = RenderedFileWriter(fileSystem: dryRun ? PreviewFileSystem(base: LocalFileSystem(root: hostRoot)) : LocalFileSystem(root: hostRoot))
            do {
                reports.append(HostReport(host: name, root: hostRoot, files: try writer.write(files)))
            } catch {
                Console.error("error: \(error)")
                throw ExitCode(1)
            }
        }
        if json {
            try Console.json(RenderReport(dryRun: dryRun, hosts: reports))
            return
        }
        for report in reports {
            print("\(report.host) → \(report.root)\(dryRun ? " (dry run: nothing written)" : "")")
            for file in report.files {
                let state = file.changed ? (dryRun ? "would write" : "written") : "unchanged"
                print("  \(file.mode)  \(file.path.padding(toLength: 44, withPad: " ", startingAt: 0))  \(state.padding(toLength: 11, withPad: " ", startingAt: 0))  \(file.purpose)")
            }
            if report.files.isEmpty { print("  (no files: the host has no role that needs one)") }
        }
    }
}

struct HostReport: Encodable {
    let host: String
    let root: String
    let files: [WrittenFile]
}

struct RenderReport: Encodable {
    let dryRun: Bool
    let hosts: [HostReport]
}
