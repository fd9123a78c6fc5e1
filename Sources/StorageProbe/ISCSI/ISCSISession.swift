import CLibISCSI

#if canImport(Glibc)
import Glibc
#endif

/// One libiscsi connection driven step by step with its own poll loop and deadlines (libiscsi's
/// timeout does not cover the TCP connect). Not Sendable: use it from one thread only.
final class ISCSISession {
    let context: ISCSIContext
    let portal: String
    private let completion = ISCSICompletion()

    init(initiatorName: String, portal: String, sessionType: iscsi_session_type, target: String?, chap: (user: String, secret: String)?) throws(ProbeError) {
        context = try ISCSIContext(initiatorName: initiatorName)
        context.keepAlive.append(completion)
        self.portal = portal
        let raw = context.context
        iscsi_set_session_type(raw, sessionType)
        iscsi_set_header_digest(raw, ISCSI_HEADER_DIGEST_NONE_CRC32C)
        if let target {
            iscsi_set_targetname(raw, target)
            context.targetName = target
        }
        if let chap { iscsi_set_initiator_username_pwd(raw, chap.user, chap.secret) }
    }

    var lastError: String { String(cString: iscsi_get_error(context.context)) }

    /// Connects and logs in (discovery or normal session).
    func login(step: String, deadline: ContinuousClock.Instant) throws(ProbeError) {
        completion.reset()
        guard iscsi_connect_async(context.context, portal, ISCSICompletion.callback, completion.pointer) == 0 else {
            throw failure(step)
        }
        try run(step: "connect", deadline: deadline)
        guard completion.status == 0 else { throw failure("connect") }
        completion.reset()
        guard iscsi_login_async(context.context, ISCSICompletion.callback, completion.pointer) == 0 else {
            throw failure(step)
        }
        try run(step: step, deadline: deadline)
        guard completion.status == 0 else { throw loginFailure() }
    }

    /// libiscsi says why a login failed only in words: "… Status: Authentication failure(513)".
    private func loginFailure() -> ProbeError {
        ProbeError.login(lastError, portal: portal, target: context.targetName ?? "the target", initiator: context.initiatorName)
    }

    private func failure(_ step: String) -> ProbeError {
        .iscsi(portal: portal, step: step, message: lastError)
    }

    /// SendTargets: target names with their portals.
    func discover(deadline: ContinuousClock.Instant) throws(ProbeError) -> [(iqn: String, portals: [String])] {
        completion.reset()
        guard iscsi_discovery_async(context.context, ISCSICompletion.discoveryCallback, completion.pointer) == 0 else {
            throw failure("discovery")
        }
        try run(step: "discovery", deadline: deadline)
        guard completion.status == 0 else { throw failure("discovery") }
        return completion.discovered
    }

    /// Runs one SCSI command and hands its unmarshalled data to `read` before freeing it.
    func scsi<T>(
        step: String, deadline: ContinuousClock.Instant,
        _ start: (OpaquePointer, @escaping iscsi_command_cb, UnsafeMutableRawPointer) -> UnsafeMutablePointer<scsi_task>?,
        read: (UnsafeMutablePointer<scsi_task>) -> T
    ) throws(ProbeError) -> T {
        // The first command after a login gets UNIT ATTENTION (power on/reset): asked again, it passes.
        for attempt in 1...2 {
            completion.reset()
            guard start(context.context, ISCSICompletion.callback, completion.pointer) != nil else {
                throw failure(step)
            }
            try run(step: step, deadline: deadline)
            guard let task = completion.data?.assumingMemoryBound(to: scsi_task.self) else {
                throw failure(step)
            }
            let unitAttention = completion.status == Int32(SCSI_STATUS_CHECK_CONDITION.rawValue) && task.pointee.sense.key == SCSI_SENSE_UNIT_ATTENTION
            if unitAttention && attempt == 1 {
                scsi_free_scsi_task(task)
                continue
            }
            return try finish(task, step: step, read: read)
        }
        throw failure(step)
    }

    private func finish<T>(_ task: UnsafeMutablePointer<scsi_task>, step: String, read: (UnsafeMutablePointer<scsi_task>) -> T) throws(ProbeError) -> T {
        defer { scsi_free_scsi_task(task) }
        guard completion.status == Int32(SCSI_STATUS_GOOD.rawValue) else {
            throw .iscsi(portal: portal, step: step, message: "SCSI status \(completion.status): \(lastError)")
        }
        return read(task)
    }

    func logout(deadline: ContinuousClock.Instant) {
        completion.reset()
        guard iscsi_logout_async(context.context, ISCSICompletion.callback, completion.pointer) == 0 else { return }
        try? run(step: "logout", deadline: deadline)
    }

    typealias TaskStarter = (OpaquePointer, @escaping iscsi_command_cb, UnsafeMutableRawPointer) -> UnsafeMutablePointer<scsi_task>?

    /// Queues every command at once (the target works on them together), services until all
    /// complete, and asks again once those that met UNIT ATTENTION. The caller frees the tasks.
    func batch(step: String, deadline: ContinuousClock.Instant, _ starters: [TaskStarter]) throws(ProbeError) -> [(status: Int32, task: UnsafeMutablePointer<scsi_task>)] {
        let completions = starters.map { _ in ISCSICompletion() }
        context.keepAlive += completions
        var pending = Array(starters.indices)
        for attempt in 1...2 {
            for index in pending {
                completions[index].reset()
                guard starters[index](context.context, ISCSICompletion.callback, completions[index].pointer) != nil else { throw failure(step) }
            }
            try run(step: step, deadline: deadline) { pending.allSatisfy { completions[$0].done } }
            let retry = pending.filter { index in
                guard attempt == 1, let task = completions[index].data?.assumingMemoryBound(to: scsi_task.self) else { return false }
                let unitAttention = completions[index].status == Int32(SCSI_STATUS_CHECK_CONDITION.rawValue) && task.pointee.sense.key == SCSI_SENSE_UNIT_ATTENTION
                if unitAttention { scsi_free_scsi_task(task) }
                return unitAttention
            }
            if retry.isEmpty { break }
            pending = retry
        }
        var results: [(Int32, UnsafeMutablePointer<scsi_task>)] = []
        for completion in completions {
            guard let task = completion.data?.assumingMemoryBound(to: scsi_task.self) else {
                for (_, done) in results { scsi_free_scsi_task(done) }
                throw failure(step)
            }
            results.append((completion.status, task))
        }
        return results
    }

    private func run(step: String, deadline: ContinuousClock.Instant) throws(ProbeError) {
        try run(step: step, deadline: deadline) { completion.done }
    }

    /// Services the context until `finished`, the deadline passes (see `SocketWait`), or the
    /// connection fails.
    private func run(step: String, deadline: ContinuousClock.Instant, until finished: () -> Bool) throws(ProbeError) {
        let raw = context.context
        var pollError: Int32 = 0
        let outcome = SocketWait.run(
            deadline: deadline,
            poll: { milliseconds in
                var descriptor = pollfd(fd: iscsi_get_fd(raw), events: Int16(iscsi_which_events(raw)), revents: 0)
                if poll(&descriptor, 1, milliseconds) < 0 && errno != EINTR { pollError = errno }
                return descriptor.revents
            },
            service: { revents in pollError == 0 && iscsi_service(raw, Int32(revents)) >= 0 },
            finished: finished)
        switch outcome {
        case .finished: return
        case .timedOut: throw .timeout(portal: portal, step: step)
        case .failed:
            if pollError != 0 { throw .iscsi(portal: portal, step: step, message: String(cString: strerror(pollError))) }
            throw failure(step)
        }
    }
}
