import ArgumentParser
import Foundation
import StorageModel
import StorageSystem

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put this storagekit on every host of the spec, the same build everywhere.",
        discussion: """
            check, iscsi login, mount and rehearse run storagekit on the hosts: they need this \
            build there. deploy copies this binary to storagekit.path of the spec (default \
            /usr/local/bin/storagekit) over each host's transport. A host that already has this \
            build (the linker's build id, not only the version) is skipped. Before copying, the \
            host's loader must know every library this build needs (ldconfig -p); a host that \
            lacks one is refused, naming the packages to install (deploy never installs them). \
            The copy goes to a temporary name beside the destination, is checked by sha256 and \
            run once there, and is then renamed over the old file: a facts session running the \
            old one finishes, and a half-copied file never runs.

            Only a release build with the Swift runtime linked in can go to hosts; from another \
            build, deploy says how to make that one.

            Exit status: 0 every host has this build, 1 a host was refused or failed, 2 bad \
            usage or spec, or this build cannot go to hosts.
            """)

    @OptionGroup var options: SpecOptions
    @Option(name: .long, help: ArgumentHelp("Only these hosts (repeatable; default all).", valueName: "name")) var host: [String] = []
    @Option(help: ArgumentHelp("Deploy this storagekit file instead of the running one.", valueName: "file")) var binary: String?
    @Option(help: ArgumentHelp("Hosts copied to at once.", valueName: "n")) var concurrency: Int = 8
    @Flag(help: "Say which hosts would get a copy; copy nothing.") var dryRun = false
    @Flag(help: "Print one JSON document: {build, version, path, hosts: [{host, state, path, before, message, missingPackages}]}.") var json = false

    struct Report: Encodable {
        let build: String?
        let version: String
        let path: String
        let hosts: [DeployResult]
    }

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let (loaded, _) = try options.loadValidated(printWarnings: false)
        let spec = loaded.spec
        var hosts = spec.hosts
        if !host.isEmpty {
            for name in host where spec.host(named: name) == nil {
                Console.error("error: no host named \"\(name)\" in the spec")
                throw ExitCode(2)
            }
            hosts = hosts.filter { host.contains($0.name) }
        }
        try RootRequirement.check(hosts, changing: !dryRun)
        let source: DeploySource
        do { source = try await DeploySource.read(binary, running: StorageKitOnHost.selfPath, version: StorageKit.version) } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        let destination = StorageKitInstall.deployPath(in: spec)
        let progress = ProgressLine(wanted: !json)
        let run = DeployRun(spec: spec, source: source, destination: destination, dryRun: dryRun, concurrency: concurrency)
        let results = await run.run(hosts) { done in progress.show("deploy: \(done) of \(hosts.count) hosts done") }
        progress.clear()
        if json {
            try Console.json(Report(build: source.info.buildID, version: source.info.version, path: destination, hosts: results))
        } else {
            print("storagekit \(source.info.version), build \(source.info.buildID.map { String($0.prefix(12)) } ?? "none") → \(destination)\(dryRun ? " (dry run: nothing copied)" : "")")
            let width = results.map(\.host.count).max() ?? 4
            for result in results {
                let mark = [DeployResult.State.upToDate: "ok  ", .installed: "new ", .wouldInstall: "copy", .refused: "NO  ", .failed: "FAIL"][result.state] ?? ""
                print("  \(mark) \(result.host.padding(toLength: width, withPad: " ", startingAt: 0))  \(result.message)")
            }
            let counts = Dictionary(grouping: results, by: \.state).mapValues(\.count)
            print("\(counts[.installed] ?? 0) installed, \(counts[.upToDate] ?? 0) up to date, \(counts[.wouldInstall] ?? 0) to copy, \(counts[.refused] ?? 0) refused, \(counts[.failed] ?? 0) failed")
        }
        if results.contains(where: { $0.state == .refused || $0.state == .failed }) { throw ExitCode(1) }
    }
}
