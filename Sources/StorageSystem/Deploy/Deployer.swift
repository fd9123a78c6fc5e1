import Foundation
import StorageFacts
import StorageModel

/// The binary `deploy` puts on hosts: its file here, which build it is, and its sha256.
public struct DeploySource: Sendable {
    public var path: String
    public var info: BuildInfo
    public var sha256: String

    public init(path: String, info: BuildInfo, sha256: String) {
        self.path = path
        self.info = info
        self.sha256 = sha256
    }
}

/// What `deploy` did on one host.
public struct DeployResult: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// The host already runs this build: nothing copied.
        case upToDate = "up-to-date"
        case installed
        /// `--dry-run`: it would be copied.
        case wouldInstall = "would-install"
        /// The host lacks libraries this build needs: nothing copied.
        case refused
        case failed
    }

    public var host: String
    public var state: State
    public var path: String
    /// The build id the host had at `path` before (nil: none, or one that cannot say).
    public var before: String?
    public var message: String
    /// For `refused`: the packages to install there.
    public var missingPackages: [String]

    public init(host: String, state: State, path: String, before: String?, message: String, missingPackages: [String] = []) {
        self.host = host
        self.state = state
        self.path = path
        self.before = before
        self.message = message
        self.missingPackages = missingPackages
    }
}

/// Puts one build of storagekit on one host: skipped when the host already has that build;
/// else its libraries checked first (`ldconfig -p`), the file copied to a temporary name
/// beside the destination, checked by sha256 and run there once, then renamed over the old one
/// (a facts session running the old file keeps it to the end; a half-copied file never runs).
public struct Deployer: Sendable {
    let context: HostContext
    let source: DeploySource
    let destination: String
    var files: HostFiles { context.files }
    var host: String { context.host.name }

    public init(context: HostContext, source: DeploySource, destination: String) {
        self.context = context
        self.source = source
        self.destination = destination
    }

    public func deploy(dryRun: Bool) async -> DeployResult {
        var before: String?
        do {
            before = try await installedBuild()
            if before == source.info.buildID {
                return result(.upToDate, before, "already runs this build (\(source.info.version), build \(Self.short(before)))")
            }
            let missing = try await missingLibraries()
            if !missing.isEmpty { return refused(missing, before) }
            let replacing = before.map { "replacing build \(Self.short($0))" } ?? "none there before"
            if dryRun { return result(.wouldInstall, before, "would copy build \(Self.short(source.info.buildID)) to \(destination) (\(replacing))") }
            if let unloadable = try await install() { return refused([unloadable], before) }
            return result(.installed, before, "build \(Self.short(source.info.buildID)) installed at \(destination) (\(replacing))")
        } catch {
            return result(.failed, before, "\(error)")
        }
    }

    /// The build id of the storagekit at `destination`, nil when there is none; a file there
    /// that cannot say (another program, a build without `build-info`) reads as another build.
    func installedBuild() async throws -> String? {
        let answer: CommandResult
        do {
            answer = try await context.transport.run(Command(destination, ["build-info", "--json"], timeout: .seconds(30)))
        } catch {
            if error.code == .notInstalled { return nil }
            throw SystemError.hostCommand(host: host, what: "asking \(destination) which build it is", reason: error.description, cause: error)
        }
        if answer.exitCode == 127 { return nil }
        guard answer.succeeded, let info = try? JSONDecoder().decode(BuildInfo.self, from: Data(answer.stdout.utf8)) else { return "unknown" }
        return info.buildID ?? "unknown"
    }

    /// The libraries this build needs that the host's loader does not have.
    func missingLibraries() async throws -> [String] {
        let listed = try await files.run(["ldconfig", "-p"], "listing the libraries the loader knows (ldconfig -p)")
        do {
            return LoaderCache.missing(source.info.needs, cached: try LoaderCache.sonames(listed.stdout))
        } catch {
            throw SystemError.hostCommand(host: host, what: "checking the libraries storagekit needs", reason: error.description)
        }
    }

    /// Copies, checks and renames; the library the loader could not load there when the copy
    /// does not run (its cache names a file that is gone), after removing the copy.
    func install() async throws -> String? {
        let directory = HostFiles.directory(of: destination)
        let temporary = "\(directory)/.\(HostFiles.baseName(of: destination)).deploy-\(UInt32.random(in: 0...UInt32.max))"
        try await files.run(["mkdir", "-p", "--", directory], "creating \(directory)")
        try await files.run(["install", "-m", "755", "/dev/null", temporary], "creating \(temporary)")
        do {
            var copy = Command("dd", ["of=\(temporary)", "bs=1M", "conv=fsync", "status=none"], timeout: .seconds(600))
            copy.stdinFile = source.path
            try await files.run(copy, "copying storagekit to \(temporary)")
            let sum = try await files.run(["sha256sum", "--", temporary], "checking the copy's sha256")
            guard sum.stdout.split(separator: " ").first.map(String.init) == source.sha256 else {
                throw SystemError.hostCommand(host: host, what: "checking the copy's sha256", reason: "it arrived different from this machine's file (\(sum.stdout.prefix(16))…, wanted \(source.sha256.prefix(16))…): nothing was installed; run deploy again")
            }
            let runs = try await files.run(Command(temporary, ["build-info", "--json"], timeout: .seconds(30)), "running the copy once", allowFailure: true)
            if !runs.succeeded {
                if let library = LoaderCache.unloadable(runs.stderr) {
                    try await files.remove(temporary)
                    return library
                }
                throw files.failure("running the copy once (\(temporary) build-info)", runs)
            }
            try await files.commit(temporary, to: destination)
            return nil
        } catch {
            try? await files.remove(temporary)
            throw error
        }
    }

    private func refused(_ libraries: [String], _ before: String?) -> DeployResult {
        let os = context.osFamily
        return DeployResult(
            host: host, state: .refused, path: destination, before: before,
            message: "lacks \(libraries.joined(separator: ", ")), which storagekit needs: nothing was copied; install them there (\(RuntimePackages.installCommand(libraries, on: os))), then deploy again",
            missingPackages: libraries.map { RuntimePackages.package(for: $0, on: os) })
    }

    private func result(_ state: DeployResult.State, _ before: String?, _ message: String) -> DeployResult {
        DeployResult(host: host, state: state, path: destination, before: before, message: message)
    }

    static func short(_ build: String?) -> String { build.map { String($0.prefix(12)) } ?? "none" }
}
