import ArgumentParser
import Foundation
import StorageModel
import StorageRender
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
            try await ISCSIRun(options: options, dryRun: true) { initiator in
                let steps = await initiator.preflight()
                return (steps, steps.allSatisfy(\.ok) ? nil : "a portal does not admit \(initiator.context.host.name)")
            }.run()
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
            try await ISCSIRun(options: options, dryRun: dryRun) { initiator in
                var steps: [ISCSIInitiator.Step] = []
                if let name = try await initiator.writeInitiatorName(dryRun: dryRun) { steps.append(name) }
                let preflight = await initiator.preflight()
                steps += preflight
                if let failed = preflight.first(where: { !$0.ok }) { return (steps, failed.text) }
                steps += try await initiator.records(dryRun: dryRun)
                do {
                    steps += try await initiator.login(dryRun: dryRun)
                } catch let failure as ISCSIInitiator.Failure {
                    return (steps + failure.steps, failure.reason)
                }
                return (steps, nil)
            }.run()
        }
    }

    struct Logout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log out of the spec's sessions and delete the spec's node records (others stay).")
        @OptionGroup var options: Options
        @Flag(help: "Show what would be done; change nothing.") var dryRun = false

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: dryRun) { initiator in (try await initiator.logout(dryRun: dryRun), nil) }.run()
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The spec's node records and sessions on each hypervisor.")
        @OptionGroup var options: Options

        func run() async throws {
            try await ISCSIRun(options: options, dryRun: true) { initiator in
                let sessions = try await initiator.sessionDetails()
                let steps = initiator.nodes.map { node in
                    guard let session = sessions.first(where: { $0.target == node.target && $0.portal == node.portal }) else {
                        return ISCSIInitiator.Step(ok: false, text: "\(node.target) via \(node.portal): no session")
                    }
                    let disks = session.disks.map { "LUN \($0.lun) /dev/\($0.device) (\($0.state))" }.joined(separator: ", ")
                    let timeout = session.recoveryTimeout.map { ", replacement timeout \($0) s" } ?? ""
                    return ISCSIInitiator.Step(
                        ok: session.sessionState == "LOGGED_IN",
                        text: "\(node.target) via \(node.portal): session \(session.sid) \(session.sessionState) from \(session.localAddress)\(timeout); \(disks.isEmpty ? "no disks" : disks)")
                }
                return (steps, steps.allSatisfy(\.ok) ? nil : "not every portal has a session")
            }.run()
        }
    }
}

/// Runs one initiator job on each selected hypervisor and reports it.
struct ISCSIRun {
    let options: ISCSI.Options
    let dryRun: Bool
    let job: (ISCSIInitiator) async throws -> (steps: [ISCSIInitiator.Step], failure: String?)

    struct HostReport: Encodable {
        let host: String
        let steps: [ISCSIInitiator.Step]
        let error: String?
    }

    func run() async throws {
        let (loaded, _) = try options.spec.loadValidated(printWarnings: !options.json)
        let spec = loaded.spec
        let initiators = spec.hosts.filter { !ISCSINode.all(spec, host: $0).isEmpty }
        let names = options.host.isEmpty ? initiators.map(\.name) : options.host
        var reports: [HostReport] = []
        try RootRequirement.check(names.compactMap(spec.host(named:)), changing: !dryRun)
        let secrets = SecretFiles(fileSystem: LocalFileSystem()).chapSecrets(of: spec)
        for name in names {
            guard let host = spec.host(named: name) else {
                Console.error("error: no host named \"\(name)\" in the spec")
                throw ExitCode(2)
            }
            guard initiators.contains(where: { $0.name == name }) else {
                Console.error("error: \(name) is an initiator of no target (see iscsi.targets[].initiators)")
                throw ExitCode(2)
            }
            var report: HostReport
            do {
                let context = try HostContext.make(spec, host: host)
                let initiator = ISCSIInitiator(spec: spec, context: context, secrets: secrets, storagekit: StorageKitOnHost.argv(on: host, in: spec))
                let (steps, failure) = try await job(initiator)
                report = HostReport(host: name, steps: steps, error: failure)
            } catch {
                report = HostReport(host: name, steps: [], error: "\(error)")
            }
            reports.append(report)
            if !options.json {
                print("\(name)\(dryRun ? " (nothing changed)" : ""):")
                for step in report.steps { print("  \(step.ok ? "✓" : "✗") \(step.text)") }
                if report.steps.isEmpty && report.error == nil { print("  nothing to do") }
                if let error = report.error { Console.error("error: \(name): \(error)") }
            }
        }
        if options.json { try Console.json(reports) }
        if reports.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
