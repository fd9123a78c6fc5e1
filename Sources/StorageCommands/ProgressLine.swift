import Foundation

/// One line on standard error, rewritten in place, for a long command at a terminal ("facts:
/// 37 of 200 hypervisors answered"). Silent when standard error is not a terminal, so logs and
/// `--json` stay clean.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var shown = false

    /// Shown only when `wanted` and standard error is a terminal.
    init(wanted: Bool = true) {
        enabled = wanted && isatty(STDERR_FILENO) == 1
    }

    func show(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        shown = true
    }

    /// Erases the line, before the result is printed.
    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
