import ArgumentParser
import Foundation
import StorageModel
import StorageSystem

struct Lab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A whole cluster on this machine: one network namespace per spec host (root only).",
        discussion: """
            Each host gets its spec addresses on bridges (one per storage network) and its own \
            /etc, /var/lib, /srv and /run in a persistent mount namespace, so files written for one \
            host are not in another nor in this machine's real /etc. Every other directory the spec \
            makes storagekit write in (/export, /data, …) is each host's own too; /usr and the \
            like are refused. `down` removes exactly what `up` created (also after a crashed `up`) \
            and refuses to touch anything else.

            While a lab is up, commands given a spec that would reach its hosts over ssh from \
            this machine's own namespace refuse (exit 2): use the spec `up --write-spec` writes.
            """,
        subcommands: [Up.self, Down.self, Status.self, Exec.self])

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (or complete) the lab of a spec; idempotent.")
        @OptionGroup var options: SpecOptions
        @Flag(help: "Print one JSON document.") var json = false
        @Option(help: ArgumentHelp("Also write the spec with `transport: lab` to this file, for plan/apply/setup on the lab.", valueName: "file"))
        var writeSpec: String?
        @Flag(help: "Print the spec with `transport: lab` instead of the report.") var printSpec = false
        @Flag(help: "Show what the lab would be made of; create nothing.") var dryRun = false
        @Flag(help: ArgumentHelp(
            "Hypervisors and a kernel NFS server become qemu guests with Debian's own kernel (iSCSI login, multipath, NFS mounts and knfsd for real), reached over ssh from a control namespace.",
            discussion: "Needs qemu-system-x86, linux-image-amd64, busybox-static, cpio and openssh-server (scripts/lib/install-deps). TCG unless KVM works (STORAGEKIT_LAB_ACCEL=tcg|kvm decides)."))
        var kernel = false

        func run() async throws {
            if dryRun {
                let controller = try LabCommandSupport.controller(options, validateSecrets: false, kernel: kernel)
                let planned = try await LabCommandSupport.run { try controller.plannedUp() }
                if json { return try Console.json(["wouldCreate": planned]) }
                return print(planned.map { "would create  \($0)" }.joined(separator: "\n"))
            }
            // A spec the lab cannot serve is refused before anything, CHAP secrets included, is made.
            _ = try await LabCommandSupport.run { try LabCommandSupport.controller(options, validateSecrets: false, kernel: kernel).plannedUp() }
            try LabCommandSupport.createMissingCHAPSecrets(options)
            let controller = try LabCommandSupport.controller(options, kernel: kernel)
            let report = try await LabCommandSupport.run { try await controller.up() }
            let labSpec = LabSpecText.withLabTransport((try? String(contentsOfFile: options.spec, encoding: .utf8)) ?? "")
            if let writeSpec {
                do { try labSpec.write(toFile: writeSpec, atomically: true, encoding: .utf8) } catch {
                    Console.error("error: cannot write \(writeSpec): \(error.localizedDescription)")
                    throw ExitCode(1)
                }
            }
            if printSpec { return print(labSpec, terminator: "") }
            if json { return try Console.json(report) }
            for line in report.created { print("created  \(line)") }
            for line in report.existing { print("present  \(line)") }
            print("lab \(controller.layout.cluster) is up: \(controller.layout.hosts.count) host(s). Run commands on a host with `storagekit lab exec --spec \(options.spec) HOST -- CMD`.")
            if writeSpec == nil, let next = LabCommandSupport.nextStep(options.spec, spec: try options.load().spec) { print(next) }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove everything the lab created; safe to repeat.")
        @OptionGroup var options: SpecOptions
        @Flag(help: "Show what would be removed; remove nothing.") var dryRun = false
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            let controller = try LabCommandSupport.controller(options, validateSecrets: false)
            if dryRun {
                let planned = controller.plannedDown()
                if json { return try Console.json(["wouldRemove": planned]) }
                return print(planned.isEmpty ? "no lab of cluster \(controller.layout.cluster) is recorded" : planned.map { "would remove  \($0)" }.joined(separator: "\n"))
            }
            let removed = try await LabCommandSupport.run { try await controller.down() }
            if json { return try Console.json(["removed": removed]) }
            print(removed.isEmpty ? "no lab of cluster \(controller.layout.cluster) was up" : removed.map { "removed  \($0)" }.joined(separator: "\n"))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each lab host: namespaces and addresses.")
        @OptionGroup var options: SpecOptions
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            let controller = try LabCommandSupport.controller(options)
            let hosts = try await LabCommandSupport.run { try await controller.status() }
            if json { return try Console.json(hosts) }
            for host in hosts {
                let state = host.up ? (host.guest == nil ? "up" : "up (guest)") : host.namespace ? "partial" : "down"
                print("\(host.host.padding(toLength: 16, withPad: " ", startingAt: 0)) \(state.padding(toLength: 8, withPad: " ", startingAt: 0)) \(host.addresses.joined(separator: ", "))")
            }
            if !hosts.allSatisfy(\.up) { throw ExitCode(1) }
        }
    }

    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command inside a lab host (its network and its own /etc), like docker exec.",
            discussion: "Example: storagekit lab exec --spec lab.yaml hv1 -- iscsi-ls iscsi://10.20.0.5/")
        @OptionGroup var options: SpecOptions
        @Argument(help: "The lab host.") var host: String
        @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

        func validate() throws {
            if command.isEmpty { throw ValidationError("give the command after --, e.g. `storagekit lab exec --spec F hv1 -- ip addr`") }
        }

        func run() async throws {
            let controller = try LabCommandSupport.controller(options)
            let labHost = try await LabCommandSupport.run(usage: true) { try controller.layout.host(host) }
            let status = try await LabCommandSupport.run { try await controller.status() }
            guard status.first(where: { $0.host == host })?.up == true else {
                Console.error("error: \(SystemError.notUp(cluster: controller.layout.cluster))")
                throw ExitCode(1)
            }
            Console.error("error: " + ProcessReplacement.exec(controller.layout.execArguments(host: labHost, command)))
            throw ExitCode(127)
        }
    }
}

enum LabCommandSupport {
    static func createMissingCHAPSecrets(_ options: SpecOptions) throws {
        do {
            try LabCHAPSecrets.createMissing(try options.load().spec) { Console.error("created \($0) (random CHAP secret for the lab, mode 600)") }
        } catch let error as SystemError {
            Console.error("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// `kernel` false: whatever lab of the spec's cluster is recorded (a kernel lab stays one).
    static func controller(_ options: SpecOptions, validateSecrets: Bool = true, kernel: Bool = false) throws -> LabController {
        // Taking a lab down must work even when its CHAP secret files are gone.
        let loaded = validateSecrets ? try options.loadValidated(printWarnings: false, reachesHosts: false).0 : try options.load()
        do {
            return LabController(layout: try LabLayout(spec: loaded.spec, kernel: kernel ? true : nil), spec: loaded.spec)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// Lab failures print their message and exit 1 (2 for a usage problem such as an unknown
    /// host or a spec path the lab cannot give its hosts).
    static func run<T>(usage: Bool = false, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SystemError {
            Console.error("error: \(error)")
            throw ExitCode(usage || error.isUsage ? 2 : 1)
        }
    }

    /// The spec's hosts are reached over ssh (or run here) unless it says `transport: lab`:
    /// with this spec every other command would refuse (`LabLeakGuard`). The last line says
    /// what to run instead.
    static func nextStep(_ file: String, spec: ClusterSpec) -> String? {
        guard spec.hosts.contains(where: { $0.transport != .lab }) else { return nil }
        let labFile = LabLeakGuard.suggestedLabSpec(for: file)
        return "next: its hosts are reached over ssh in \(file); write the lab's spec and use it for every other command: storagekit lab up --spec \(file) --write-spec \(labFile)"
    }
}
