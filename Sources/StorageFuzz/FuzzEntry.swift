#if FUZZING
import Foundation
import StorageFuzzTargets

/// libFuzzer's entry (built by scripts/fuzz with -sanitize=fuzzer -DFUZZING): the target comes
/// from STORAGEKIT_FUZZ_TARGET, so one binary serves every parser.
nonisolated(unsafe) private var target: FuzzTargets.Target?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if target == nil {
        let name = ProcessInfo.processInfo.environment["STORAGEKIT_FUZZ_TARGET"] ?? ""
        guard let found = FuzzTargets.named(name) else {
            FileHandle.standardError.write(Data("STORAGEKIT_FUZZ_TARGET=\(name): not a target (\(FuzzTargets.all.map(\.name).joined(separator: ", ")))\n".utf8))
            exit(2)
        }
        target = found
    }
    target?.run(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry as `<target>_main`; here it hands over to libFuzzer.
@_cdecl("StorageFuzz_main")
public func storageFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return runDriver(&count, &vector, fuzzOneInput)
}
#endif
