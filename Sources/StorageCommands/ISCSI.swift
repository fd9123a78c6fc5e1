import ArgumentParser
import StorageModel
import StorageSystem

struct ISCSI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iscsi",
        abstract: "A hypervisor's iSCSI sessions: pre-flight, node records, login on every portal, logout, status.",
        subcommands: [Discover.self, Login.self, Logout.self, Status.self])

    struct Options: ParsableArguments {
        @OptionGroup var spec: SpecOptions
        @Option(help: ArgumentHelp("This hypervisor only (repeatable); default: every host that is an initiator of a target.", valueName: "name"))
        var host: [String] = []
        @Flag(help: "Print one JSON document.") var json = false
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "From each hypervisor, with libiscsi: each portal answers, the target is offered, this initiator is admitted (ACL, CHAP).",
            discussion: "Changes nothing.\n\nExit status: 0 every portal admits the host, 1 one does not (the cause is printed), 2 bad usage.")
        @OptionGroup var options: Options

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: true) { await $0.discover() }.run()
        }
    }

    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Initiator name, pre-flight, node records (startup automatic, replacement_timeout 15, CHAP), then login on every portal.",
            discussion: """
                Fails fast with the cause when the pre-flight (libiscsi, from the host) finds a portal \
                down, the target missing, the host outside the ACL or CHAP wrong, before iscsiadm is \
                touched. Node records are made with `iscsiadm -m node -o new` for the spec's targets \
                and portals only; the CHAP secret comes from its file and is never printed. A second \
                run changes nothing.

                Exit status: 0 logged in everywhere, 1 a step failed, 2 bad usage.
                """)
        @OptionGroup var options: Options
        @Flag(help: "Show what would be done; change nothing.") var dryRun = false

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: dryRun) { try await $0.loginEverywhere(dryRun: dryRun) }.run()
        }
    }

    struct Logout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log out of the spec's sessions and delete the spec's node records (others stay).")
        @OptionGroup var options: Options
        @Flag(help: "Show what would be done; change nothing.") var dryRun = false

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: dryRun) { try await $0.logoutEverywhere(dryRun: dryRun) }.run()
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The spec's node records and sessions on each hypervisor.")
        @OptionGroup var options: Options

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: true) { try await $0.status() }.run()
        }
    }
}

/// An `InitiatorRun` of one job on the hypervisors given, printed host by host.
struct ISCSIRun {
    let options: ISCSI.Options
    let dryRun: Bool
    let job: (ISCSIInitiator) async throws -> ISCSIInitiator.Outcome

    func run() async throws {
        let (loaded, _) = try options.spec.loadValidated(printWarnings: !options.json)
        let spec = loaded.spec
        let engine = InitiatorRun(spec: spec, storagekit: { StorageKitOnHost.argv(on: $0, in: spec) })
        let hosts: [StorageModel.Host]
        do { hosts = try engine.hosts(named: options.host) } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        try RootRequirement.check(hosts, changing: !dryRun)
        let reports = await engine.run(hosts, job: job) { report in
            guard !options.json else { return }
            print("\(report.host)\(dryRun ? " (nothing changed)" : ""):")
            for step in report.steps { print("  \(step.ok ? "✓" : "✗") \(step.text)") }
            if report.steps.isEmpty && report.error == nil { print("  nothing to do") }
            if let error = report.error { Console.error("error: \(report.host): \(error)") }
        }
        if options.json { try Console.json(reports) }
        if reports.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
