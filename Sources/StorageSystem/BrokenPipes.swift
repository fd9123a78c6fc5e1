#if canImport(Glibc)
import Glibc
#endif

/// A write to a pipe or socket whose reader is gone (a facts session whose host died, a server
/// that reset a probe's connection in the middle of a request) fails with EPIPE; by default the
/// kernel also sends SIGPIPE, which ends storagekit without a word. Ignored, the write fails and
/// the caller reports it. Set by `storagekit`'s main and before any child is started.
public enum BrokenPipes {
    private static let ignored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    public static func ignore() { _ = ignored }
}
