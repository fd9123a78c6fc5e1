import CLibNFS

/// What a libnfs callback delivered. libnfs frees a call's result when the callback returns, so
/// `copy` runs inside the callback and keeps what we need as Swift values.
final class NFSCompletion {
    var done = false
    var status: Int32 = 0
    var error: String?
    /// Runs inside the callback on success, with libnfs's result pointer.
    var copy: ((Int32, UnsafeMutableRawPointer?) -> Void)?

    func reset(copy: ((Int32, UnsafeMutableRawPointer?) -> Void)? = nil) {
        done = false
        status = 0
        error = nil
        self.copy = copy
    }

    var pointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    func complete(_ status: Int32, _ data: UnsafeMutableRawPointer?) {
        self.status = status
        if status < 0 {
            // On failure libnfs passes its error string as the data.
            error = data.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
        } else {
            copy?(status, data)
        }
        done = true
    }

    static let rpcCallback: rpc_cb = { _, status, data, privateData in
        guard let privateData else { return }
        // RPC status: 0 success, 1 error (data is the message), 2 cancelled.
        Unmanaged<NFSCompletion>.fromOpaque(privateData).takeUnretainedValue().complete(status == 0 ? 0 : -1, status == 0 ? data : data)
    }

    static let nfsCallback: nfs_cb = { status, _, data, privateData in
        guard let privateData else { return }
        Unmanaged<NFSCompletion>.fromOpaque(privateData).takeUnretainedValue().complete(status, data)
    }
}

/// Services one libnfs fd until the pending call completes or the deadline passes (see
/// `SocketWait`).
func serviceUntilDone(
    _ completion: NFSCompletion, server: String, step: String, deadline: ContinuousClock.Instant,
    fd: () -> Int32, events: () -> Int32, service: (Int32) -> Int32, error: () -> String
) throws(ProbeError) {
    let outcome = SocketWait.run(
        deadline: deadline,
        poll: { milliseconds in
            var descriptor = pollfd(fd: fd(), events: Int16(events()), revents: 0)
            _ = poll(&descriptor, 1, milliseconds)
            return descriptor.revents
        },
        service: { revents in service(Int32(revents)) >= 0 },
        finished: { completion.done })
    switch outcome {
    case .finished: return
    case .timedOut: throw .timeout(portal: server, step: step)
    case .failed: throw .nfs(server: server, step: step, message: error())
    }
}
