#if !FUZZING
import Foundation
import StorageFuzzTargets

/// Without the fuzzer: `StorageFuzz TARGET FILE...` feeds files to a target (to replay a crash
/// under a debugger); `StorageFuzz --list` prints the targets and their seed directories.
@main struct Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--list" {
            for target in FuzzTargets.all { print("\(target.name)\t\(target.seeds.joined(separator: " "))") }
            return
        }
        guard let name = arguments.first, let target = FuzzTargets.named(name) else {
            FileHandle.standardError.write(Data("usage: StorageFuzz --list | StorageFuzz TARGET FILE...\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            target.run(String(decoding: data, as: UTF8.self))
            print("\(name): \(path) ok")
        }
    }
}
#endif
