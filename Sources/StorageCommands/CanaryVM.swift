import ArgumentParser
import Dispatch
import Foundation
import StorageFacts
import StorageGathering

/// One side of one rehearsal, on the host itself (what `rehearse` starts there through the
/// host's transport, as `check` starts `facts --session`).
struct CanaryVM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary-vm",
        abstract: "Run one side of a rehearsal's canary VM on this host (what `storagekit rehearse` starts here).",
        discussion: """
            Answers JSON requests, one per line on standard input, with one line of JSON each: \
            start the canary VM (source) or the one waiting for it (destination), migrate it over \
            QMP, resume it, stop it. When standard input closes, or on SIGINT, SIGTERM or SIGHUP, \
            the VM is stopped and the canary image removed; what a killed session left behind \
            is removed by the next one.

            Exit status: 0 session over, 2 bad usage.
            """,
        shouldDisplay: false)

    @Flag(help: "Answer requests on standard input until it closes.") var session = false

    func validate() throws {
        if !session { throw ValidationError("give --session (this command is started by `storagekit rehearse`)") }
    }

    func run() async throws {
        let side = CanaryVMSide()
        let signals = Self.endOnSignals(side)
        defer { withExtendedLifetime(signals) {} }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        while let line = await StandardInput.nextLine() {
            guard !line.isEmpty else { continue }
            guard let request = try? JSONDecoder().decode(CanaryVMRequest.self, from: Data(line.utf8)) else {
                _ = await side.end()
                Console.error("error: a canary-vm request is not valid JSON of this storagekit version")
                throw ExitCode(2)
            }
            let reply = await side.handle(request)
            FileHandle.standardOutput.write(try encoder.encode(reply) + Data("\n".utf8))
        }
        _ = await side.end()
    }

    /// An interrupted rehearsal (Ctrl-C reaches the whole process group; ssh hangs up) still
    /// stops its VM and removes its image before this process ends.
    static func endOnSignals(_ side: CanaryVMSide) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Task {
                    _ = await side.end()
                    Foundation.exit(128 + number)
                }
            }
            source.resume()
            return source
        }
    }
}
