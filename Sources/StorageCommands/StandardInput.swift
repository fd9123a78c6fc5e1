import Foundation

enum StandardInput {
    /// A line of standard input, read on a thread of its own (not one of the few the async
    /// runtime has); nil at its end.
    static func nextLine() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readLine(strippingNewline: true)) }
        }
    }
}
