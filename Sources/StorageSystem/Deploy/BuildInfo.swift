import Foundation

/// Which storagekit a binary is: what `storagekit build-info --json` prints, and what `deploy`
/// compares (the build id, not only the version) and requires (a release build with the Swift
/// runtime linked in, so hosts need no Swift toolchain).
public struct BuildInfo: Codable, Sendable, Equatable {
    public enum Configuration: String, Codable, Sendable { case debug, release }
    public enum SwiftRuntime: String, Codable, Sendable {
        /// `--static-swift-stdlib`: nothing of Swift's needed on the host.
        case `static`
        /// libswiftCore.so and the rest from a toolchain on the host.
        case dynamic
    }

    public var version: String
    /// The linker's build id (`NT_GNU_BUILD_ID`): the same for the same build, stripped or not.
    public var buildID: String?
    public var configuration: Configuration
    public var swiftRuntime: SwiftRuntime
    /// The shared libraries the host must have (`DT_NEEDED`).
    public var needs: [String]

    public init(version: String, buildID: String?, configuration: Configuration, swiftRuntime: SwiftRuntime, needs: [String]) {
        self.version = version
        self.buildID = buildID
        self.configuration = configuration
        self.swiftRuntime = swiftRuntime
        self.needs = needs
    }

    /// This process's own binary.
    public static func running(version: String) throws(SystemError) -> BuildInfo {
        let image = try ELFImage.read(path: "/proc/self/exe")
        #if DEBUG
        let configuration = Configuration.debug
        #else
        let configuration = Configuration.release
        #endif
        return BuildInfo(version: version, buildID: image.buildID, configuration: configuration,
                         swiftRuntime: image.hasStaticSwiftRuntime ? .static : .dynamic, needs: image.needed)
    }

    /// The build id of the running binary, read once (facts answers carry it); nil when the
    /// linker wrote none or /proc/self/exe cannot be read, and then no build is compared.
    public static let runningBuildID: String? = try? ELFImage.read(path: "/proc/self/exe").buildID

    /// What a host gets: nil when this build can go there, else why not and how to make one.
    public var unfitForHosts: String? {
        var problems: [String] = []
        if configuration == .debug { problems.append("a debug build") }
        if swiftRuntime == .dynamic { problems.append("linked to the Swift runtime of this machine's toolchain (hosts have none)") }
        if buildID == nil { problems.append("without a build id") }
        guard !problems.isEmpty else { return nil }
        return "this storagekit is " + problems.joined(separator: ", ")
            + ": hosts need the release build with the Swift runtime linked in. Build it with `swift build -c release --static-swift-stdlib` "
            + "and run `.build/release/storagekit deploy …`, or install the package `scripts/package` makes"
    }

    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
