/// What `iscsi discover`, `iscsi login` and `iscsi status` do on one hypervisor: the steps,
/// and why the host is not where the command wants it (nil: it is).
extension ISCSIInitiator {
    public typealias Outcome = (steps: [Step], failure: String?)

    /// Pre-flight only: each portal answers, offers the target and admits this host.
    public func discover() async -> Outcome {
        let steps = await preflight()
        return (steps, steps.allSatisfy(\.ok) ? nil : "a portal does not admit \(context.host.name)")
    }

    /// Initiator name, pre-flight (iscsiadm is not touched when it fails), node records, then
    /// login on every portal.
    public func loginEverywhere(dryRun: Bool) async throws -> Outcome {
        var steps: [Step] = []
        if let name = try await writeInitiatorName(dryRun: dryRun) { steps.append(name) }
        let preflight = await preflight()
        steps += preflight
        if let failed = preflight.first(where: { !$0.ok }) { return (steps, failed.text) }
        steps += try await records(dryRun: dryRun)
        do {
            steps += try await login(dryRun: dryRun)
        } catch let failure as SystemError where failure.steps != nil {
            return (steps + (failure.steps ?? []), failure.message)
        }
        return (steps, nil)
    }

    public func logoutEverywhere(dryRun: Bool) async throws -> Outcome {
        (try await logout(dryRun: dryRun), nil)
    }

    /// Each of the spec's node records with its session and disks.
    public func status() async throws -> Outcome {
        let sessions = try await sessionDetails()
        let steps = nodes.map { node in
            guard let session = sessions.first(where: { $0.target == node.target && $0.portal == node.portal }) else {
                return Step(ok: false, text: "\(node.target) via \(node.portal): no session")
            }
            let disks = session.disks.map { "LUN \($0.lun) /dev/\($0.device) (\($0.state))" }.joined(separator: ", ")
            let timeout = session.recoveryTimeout.map { ", replacement timeout \($0) s" } ?? ""
            return Step(
                ok: session.isLoggedIn,
                text: "\(node.target) via \(node.portal): session \(session.sid) \(session.sessionState) from \(session.localAddress)\(timeout); \(disks.isEmpty ? "no disks" : disks)")
        }
        return (steps, steps.allSatisfy(\.ok) ? nil : "not every portal has a session")
    }
}
