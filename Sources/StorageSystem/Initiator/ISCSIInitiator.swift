import Foundation
import StorageCheck
import StorageFacts
import StorageModel
import StorageRender

/// A hypervisor's side of iSCSI, through its transport: its initiator name, a pre-flight from
/// the host itself with libiscsi (`storagekit probe iscsi` run there), node records with
/// iscsiadm, then a login on every portal. Only the spec's records and sessions are touched.
public struct ISCSIInitiator: Sendable {
    public let spec: ClusterSpec
    public let context: HostContext
    /// CHAP secrets by file, read on the machine running storagekit.
    public let secrets: [String: String]
    /// argv that runs storagekit on the host (this binary for lab and local hosts).
    public let storagekit: [String]

    public init(spec: ClusterSpec, context: HostContext, secrets: [String: String], storagekit: [String]) {
        self.spec = spec
        self.context = context
        self.secrets = secrets
        self.storagekit = storagekit
    }

    var files: HostFiles { context.files }
    var host: StorageModel.Host { context.host }
    public var nodes: [ISCSINode] { ISCSINode.all(spec, host: host) }

    public typealias Step = HostStep

    /// The initiator name file; true when it changed (iscsid reads it only when it starts).
    public func writeInitiatorName(dryRun: Bool) async throws -> Step? {
        guard let file = try HostRenderer.render(spec, host: host.name, parts: [.hypervisor]).first(where: { $0.path == "/etc/iscsi/initiatorname.iscsi" }) else { return nil }
        if try await files.read(file.path)?.content == file.content { return nil }
        let text = "\(dryRun ? "would write" : "wrote") \(file.path) (InitiatorName=\(spec.initiatorName(of: host)))"
        if dryRun { return Step(ok: true, text: text + "; iscsid would be restarted to read it") }
        let staged = try await files.stage(file.path, content: file.content, mode: file.mode)
        try await files.commit(staged, to: file.path)
        // iscsid reads the name only when it starts: one still running logs in under the old
        // name, which every host may share (a cloned image), and a target then swaps the
        // hosts' sessions back and forth (seen in the kernel lab: conn error 1020 on both).
        guard try await context.services.isRunning(Services.iscsid) else { return Step(ok: true, text: text) }
        try await context.services.restart(Services.iscsid)
        return Step(ok: true, text: text + "; restarted iscsid so it logs in under this name")
    }

    /// From the host: each portal answers, the target is there, this initiator is admitted.
    public func preflight() async -> [Step] {
        await preflightSeeing().steps
    }

    /// The pre-flight, with every LUN as the host saw it through each portal.
    public func preflightSeeing() async -> (steps: [Step], seen: [LUNSighting]) {
        var steps: [Step] = []
        var seen: [LUNSighting] = []
        for node in nodes {
            var arguments = storagekit + ["probe", "iscsi", "--portal", node.portal, "--target", node.target,
                                          "--initiator-name", spec.initiatorName(of: host), "--timeout", "5", "--json"]
            var stdin: String?
            if let user = node.settings.first(where: { $0.name == "node.session.auth.username" })?.value, let file = node.chapSecretFile {
                arguments += ["--chap-user", user, "--chap-secret-stdin"]
                stdin = secrets[file] ?? ""
            }
            var command = Command(arguments[0], Array(arguments.dropFirst()), timeout: .seconds(15), stdin: stdin)
            command.environment = [:]
            do {
                let result = try await files.run(command, "pre-flight of \(node.target) via \(node.portal)", allowFailure: true)
                if result.succeeded {
                    // The probe said it succeeded: output that is not its report is said as such.
                    guard let report = try? JSONDecoder().decode(ISCSIProbeResult.self, from: Data(result.stdout.utf8)) else {
                        steps.append(Step(ok: false, text: "pre-flight of \(node.target) via \(node.portal): cannot read what `storagekit probe iscsi --json` printed (\(ToolOutputError.firstLine(result.stdout)))"))
                        continue
                    }
                    let luns = report.targets.first?.luns.map { "LUN \($0.lun) \($0.serial)" }.joined(separator: ", ") ?? ""
                    steps.append(Step(ok: true, text: "\(node.portal) admits \(spec.initiatorName(of: host)) to \(node.target): \(luns.isEmpty ? "no LUNs" : luns)"))
                    seen += (report.targets.first?.luns ?? []).map { LUNSighting(host: host.name, target: node.target, portal: node.portal, lun: $0.lun, serial: $0.serial, wwid: $0.wwid) }
                } else if let failure = try? JSONDecoder().decode(ProbeFailureReport.self, from: Data(result.stdout.utf8)) {
                    steps.append(Step(ok: false, text: failure.error.message))
                } else {
                    steps.append(Step(ok: false, text: "pre-flight of \(node.target) via \(node.portal) could not run: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"))
                }
            } catch {
                steps.append(Step(ok: false, text: error.description))
            }
        }
        return (steps, seen)
    }

    /// SendTargets through iscsiadm on each portal (what admins run; it needs iscsid), then the
    /// spec's node records created where discovery did not make them, and the managed settings
    /// set where they differ.
    public func records(dryRun: Bool) async throws -> [Step] {
        var steps: [Step] = []
        var portals: [String] = []
        for node in nodes where !portals.contains(node.portal) { portals.append(node.portal) }
        for portal in portals where !dryRun {
            let discovery = try await files.run(iscsiadm(["-m", "discovery", "-t", "sendtargets", "-p", portal], timeout: .seconds(30)), "discovery via \(portal)", allowFailure: true)
            if discovery.succeeded {
                let offered = discovery.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
                steps.append(Step(ok: true, text: "iscsiadm discovery via \(portal): \(Set(offered).sorted().joined(separator: ", "))"))
            } else {
                let said = discovery.stderr.split(separator: "\n").last(where: { $0.hasPrefix("iscsiadm:") }).map(String.init) ?? "exit \(discovery.exitCode.map(String.init) ?? "?")"
                steps.append(Step(ok: true, text: "iscsiadm discovery via \(portal) not possible (\(said)): the spec's node records are created directly"))
            }
        }
        for node in nodes {
            let shown = try await files.run(iscsiadm(["-m", "node", "-T", node.target, "-p", node.portal]), "reading the node record of \(node.target) via \(node.portal)", allowFailure: true)
            var current = shown.succeeded ? ISCSINodeSettingsParser.parse(shown.stdout) : [:]
            let created = !shown.succeeded
            if created {
                if !dryRun { try await files.run(iscsiadm(["-m", "node", "-o", "new", "-T", node.target, "-p", node.portal]), "creating the node record of \(node.target) via \(node.portal)") }
                steps.append(Step(ok: true, text: "\(dryRun ? "would create" : "created") node record \(node.target) via \(node.portal)"))
                current = [:]
            }
            for setting in node.settings where current[setting.name] != setting.value {
                if !dryRun { try await update(node, setting.name, setting.value, secret: nil) }
                steps.append(Step(ok: true, text: "\(dryRun ? "would set" : "set") \(setting.name) = \(setting.value) on \(node.target) via \(node.portal)"))
            }
            // iscsiadm shows the password as ********: it is set with a new record or a new CHAP user.
            if let file = node.chapSecretFile, created || current["node.session.auth.username"] != node.settings.first(where: { $0.name == "node.session.auth.username" })?.value {
                guard let secret = secrets[file] else { throw SystemError.stopped(steps: steps, reason: "cannot read the CHAP secret from \(file)") }
                if !dryRun { try await update(node, "node.session.auth.password", secret, secret: secret) }
                steps.append(Step(ok: true, text: "\(dryRun ? "would set" : "set") node.session.auth.password (from \(file)) on \(node.target) via \(node.portal)"))
            }
        }
        return steps
    }

    /// Logs in on every portal that has no session yet; exit 15 (session exists) is success.
    public func login(dryRun: Bool) async throws -> [Step] {
        let sessions = try await currentSessions()
        var steps: [Step] = []
        for node in nodes {
            if sessions.contains(where: { $0.target == node.target && $0.portal == node.portal }) {
                continue
            }
            if dryRun {
                steps.append(Step(ok: true, text: "would log in to \(node.target) via \(node.portal)"))
                continue
            }
            let result = try await files.run(iscsiadm(["-m", "node", "-T", node.target, "-p", node.portal, "--login"], timeout: .seconds(60)), "logging in", allowFailure: true)
            guard result.exitCode == 0 || result.exitCode == 15 else {
                let said = result.stderr.split(separator: "\n").last(where: { $0.contains("iscsiadm:") && !$0.contains("Could not log into all portals") }) ?? Substring(result.stderr)
                var reason = "login to \(node.target) via \(node.portal) failed (iscsiadm exit \(result.exitCode.map(String.init) ?? "?")): \(said.trimmingCharacters(in: .whitespaces))"
                if result.exitCode == 20 { reason += " — iscsid is not running, or this kernel has no iSCSI initiator (modprobe iscsi_tcp; systemctl start iscsid)" }
                throw SystemError.stopped(steps: steps, reason: reason)
            }
            steps.append(Step(ok: true, text: "logged in to \(node.target) via \(node.portal)"))
        }
        return steps
    }

    /// Logs out of the spec's sessions and deletes the spec's node records, nothing else.
    public func logout(dryRun: Bool) async throws -> [Step] {
        let sessions = try await currentSessions()
        var steps: [Step] = []
        for node in nodes {
            if sessions.contains(where: { $0.target == node.target && $0.portal == node.portal }) {
                if !dryRun { try await files.run(iscsiadm(["-m", "node", "-T", node.target, "-p", node.portal, "--logout"], timeout: .seconds(60)), "logging out of \(node.target) via \(node.portal)") }
                steps.append(Step(ok: true, text: "\(dryRun ? "would log out of" : "logged out of") \(node.target) via \(node.portal)"))
            }
            if try await files.run(iscsiadm(["-m", "node", "-T", node.target, "-p", node.portal]), "reading the node record", allowFailure: true).succeeded {
                if !dryRun { try await files.run(iscsiadm(["-m", "node", "-o", "delete", "-T", node.target, "-p", node.portal]), "deleting the node record of \(node.target) via \(node.portal)") }
                steps.append(Step(ok: true, text: "\(dryRun ? "would delete" : "deleted") node record \(node.target) via \(node.portal)"))
            }
        }
        return steps
    }

    /// The host's sessions (`iscsiadm -m session`; exit 21 is "none").
    public func currentSessions() async throws -> [ISCSISessionListParser.Session] {
        let result = try await files.run(iscsiadm(["-m", "session"]), "listing iSCSI sessions", allowFailure: true)
        if result.exitCode == 21 { return [] }
        guard result.succeeded else { throw SystemError.hostCommand(host: host.name, what: "listing iSCSI sessions", reason: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
        do { return try ISCSISessionListParser.parse(result.stdout) } catch {
            throw SystemError.hostCommand(host: host.name, what: "listing iSCSI sessions", reason: error.description)
        }
    }

    /// `iscsiadm -m session -P 3`: sessions with their disks (none: exit 21).
    public func sessionDetails() async throws -> [SessionFacts] {
        let result = try await files.run(iscsiadm(["-m", "session", "-P", "3"]), "describing iSCSI sessions", allowFailure: true)
        if result.exitCode == 21 { return [] }
        guard result.succeeded else { throw SystemError.hostCommand(host: host.name, what: "describing iSCSI sessions", reason: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
        do { return try ISCSISessionDetailParser.parse(result.stdout) } catch {
            throw SystemError.hostCommand(host: host.name, what: "describing iSCSI sessions", reason: error.description)
        }
    }

    private func update(_ node: ISCSINode, _ name: String, _ value: String, secret: String?) async throws {
        var command = iscsiadm(["-m", "node", "-T", node.target, "-p", node.portal, "-o", "update", "-n", name, "-v", value])
        // iscsiadm takes the password only in argv; it never reaches a log or --json.
        if let secret { command.redacted = [secret] }
        try await files.run(command, "setting \(name) on \(node.target) via \(node.portal)")
    }

    private func iscsiadm(_ arguments: [String], timeout: Duration = .seconds(30)) -> Command {
        Command("iscsiadm", arguments, timeout: timeout)
    }
}
