import Foundation

/// Runs blocking C-library work (libiscsi, libnfs and connect all wait in poll) on a thread of
/// its own: Swift's cooperative pool has one thread per core and must not wait on dozens of
/// probes. Each probe's context lives and dies on that thread.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws(ProbeError) -> T) async throws(ProbeError) -> T {
    let outcome: Result<T, ProbeError> = await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: Result { () throws(ProbeError) -> T in try body() }) }.start()
    }
    return try outcome.get()
}
