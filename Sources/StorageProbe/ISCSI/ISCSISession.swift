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

    /// Services the context until the pending call completes, the deadline passes, or the
    /// connection fails.
    private func run(step: String, deadline: ContinuousClock.Instant) throws(ProbeError) {
        let raw = context.context
        while !completion.done {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { throw .timeout(portal: portal, step: step) }
            var descriptor = pollfd(fd: iscsi_get_fd(raw), events: Int16(iscsi_which_events(raw)), revents: 0)
            let milliseconds = min(Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000) + 1, 100)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno != EINTR { throw .iscsi(portal: portal, step: step, message: String(cString: strerror(errno))) }
            if iscsi_service(raw, Int32(descriptor.revents)) < 0 && !completion.done {
                throw failure(step)
            }
        }
    }
}
