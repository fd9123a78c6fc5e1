import Foundation
import StorageCheck
import StorageFacts
import StorageGathering
import StorageSystem
import StorageTestSupport
import Testing

/// The release build that hosts get (scripts/test builds it first, and the package from it):
/// `STORAGEKIT_RELEASE_BIN`, else this checkout's `swift build -c release --static-swift-stdlib`.
enum ReleaseBuild {
    static var binary: String {
        ProcessInfo.processInfo.environment["STORAGEKIT_RELEASE_BIN"]
            ?? RealTool.packageRoot.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release/storagekit").path
    }

    /// The release build, if it is there and this checkout's (it knows `build-info`).
    static func require() async throws -> String? {
        let answer = try? await SubprocessRunner().run(Command(binary, ["build-info", "--json"]))
        guard answer?.succeeded == true else {
            Issue.record("no release build of this checkout at \(binary): run `source scripts/lib/release-build; release_build storagekit` (scripts/test does)")
            return nil
        }
        return binary
    }

    /// A copy of `binary` that is another build: the same program, its linker build id changed.
    static func otherBuild(of binary: String, in directory: TemporaryDirectory) throws -> (path: String, build: String) {
        let image = try ELFImage.read(path: binary)
        let build = try #require(image.buildID)
        var data = try Data(contentsOf: URL(fileURLWithPath: binary))
        let bytes = stride(from: 0, to: build.count, by: 2).map { UInt8(build.dropFirst($0).prefix(2), radix: 16)! }
        let range = try #require(data.firstRange(of: Data(bytes)))
        data.replaceSubrange(range, with: Data(bytes.map { $0 ^ 0xFF }))
        let path = "\(directory.path)/storagekit-older"
        try data.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        let other = try #require(try ELFImage.read(path: path).buildID)
        return (path, other)
    }
}

/// `storagekit deploy` for real in the namespace lab, where each host has its own /usr: hosts
/// without storagekit are NOT READY with deploy as the fix; deploy puts the release build on
/// every host but one whose loader lacks libnfs (refused, naming the package); check is then
/// READY; a second deploy copies nothing; a host with another build gets this one while a facts
/// session of the old one runs, and that session still answers; the Debian package installed
/// with dpkg in a host lets check use it.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabDeployTests {
    static let path = "/usr/local/bin/storagekit"

    func report(_ result: CommandResult) throws -> CheckReport {
        try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
    }

    @Test func deployPutsOneBuildEverywhereAndCheckUsesIt() async throws {
        guard let release = try await ReleaseBuild.require() else { return }
        try await LabFixture.with("skdp", edit: { $0 + "\nstoragekit: {path: \(Self.path)}\n" }) { lab in
            for what in ["iscsi-target", "nfs"] {
                let setup = try await lab.storagekit(["setup", what, "--spec", lab.labSpec])
                #expect(setup.exitCode == 0, "setup \(what): \(setup.stdout)\(setup.stderr)")
            }
            #expect(try await lab.onLab(["apply"]).exitCode == 0)

            // No storagekit on the hosts yet: check says so, with deploy as the fix.
            let without = try await lab.onLab(["check"], ["--json", "--timeout", "10"])
            let silent = try report(without).findings.filter { $0.check == CheckID.hostFacts && $0.status == .fail }
            #expect(silent.count == 3 && silent.allSatisfy { $0.message.contains("storagekit is not installed there") }, "\(silent)")
            #expect(silent.first { $0.hosts == ["hv1"] }?.fix == "storagekit deploy --host hv1 --spec \(lab.labSpec)")

            // san's loader has no libnfs (as after `apt-get remove libnfs13`: the file gone from
            // its own /usr, its own cache rebuilt).
            let hide = try await lab.exec("san", ["sh", "-c", "rm -f /usr/lib/x86_64-linux-gnu/libnfs.so.13* && ldconfig"])
            #expect(hide.exitCode == 0, "\(hide.stderr)")
            #expect(FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libnfs.so.13"), "this machine keeps its libnfs")

            let dry = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", release, "--dry-run", "--json"])
            #expect(try await lab.exec("hv1", ["test", "-e", Self.path]).exitCode != 0, "a dry run copies nothing")
            #expect(dry.stdout.contains("\"would-install\""), "\(dry.stdout)\(dry.stderr)")

            let deploy = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", release], timeout: .seconds(300))
            #expect(deploy.exitCode == 1, "san is refused: \(deploy.stdout)\(deploy.stderr)")
            #expect(deploy.stdout.contains("lacks libnfs.so.13, which storagekit needs: nothing was copied; install them there (apt-get install libnfs13)"), "\(deploy.stdout)")
            #expect(deploy.stdout.contains("4 installed, 0 up to date, 0 to copy, 1 refused, 0 failed"), "\(deploy.stdout)")
            #expect(try await lab.exec("san", ["test", "-e", Self.path]).exitCode != 0, "nothing on san")
            for host in ["nfs", "hv1", "hv2", "hv3"] {
                #expect(try await lab.exec(host, ["test", "-x", Self.path]).exitCode == 0, "\(host) has it")
            }
            #expect(!FileManager.default.fileExists(atPath: Self.path), "this machine's /usr/local is untouched")
            let leftovers = try await lab.exec("hv1", ["find", "/usr/local/bin", "-name", ".storagekit.deploy-*"])
            #expect(leftovers.stdout.isEmpty, "no temporary copy left: \(leftovers.stdout)")

            // The release build checks the lab with the same build everywhere: READY.
            let ready = try await Self.run(release, ["check", "--spec", lab.labSpec, "--json", "--timeout", "10"])
            let readyReport = try report(ready)
            #expect(ready.exitCode == 0 && readyReport.ready, "\(readyReport.findings.filter { $0.status != .pass })")
            #expect(readyReport.findings.contains { $0.check == CheckID.hostFacts && $0.status == .pass && $0.hosts == ["hv1", "hv2", "hv3"] })

            let again = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", release, "--host", "nfs", "--host", "hv1", "--host", "hv2", "--host", "hv3"])
            #expect(again.exitCode == 0 && again.stdout.contains("0 installed, 4 up to date"), "a second deploy copies nothing: \(again.stdout)\(again.stderr)")

            // hv1 runs another build; a facts session of it is up when deploy replaces the file,
            // and still answers (with the old build's id) afterwards.
            let older = try ReleaseBuild.otherBuild(of: release, in: lab.directory)
            let old = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", older.path, "--host", "hv1"])
            #expect(old.exitCode == 0 && old.stdout.contains("1 installed"), "\(old.stdout)\(old.stderr)")
            let session = try #require(SubprocessRunner().startSession(Command(
                RenderCommandTests.binary, ["lab", "exec", "--spec", lab.labSpec, "hv1", "--", Self.path, "facts", "--session"], timeout: .seconds(120))))
            try await waitUntil("the old build's facts session runs on hv1") { Self.running([Self.path, "facts", "--session"]) }
            let replaced = try await lab.storagekit(["deploy", "--spec", lab.labSpec, "--binary", release, "--host", "hv1"])
            #expect(replaced.exitCode == 0 && replaced.stdout.contains("replacing build \(older.build.prefix(12))"), "\(replaced.stdout)\(replaced.stderr)")
            let specText = try String(contentsOfFile: lab.labSpec, encoding: .utf8)
            let request = String(decoding: try JSONEncoder().encode(FactsRequest(host: "hv1", specYAML: specText, secrets: [:], probeTimeoutMs: 3000)), as: UTF8.self)
            let answer = await session.exchange(request) { $0.hasPrefix("{") }
            session.close()
            guard case .line(let line) = answer else { Issue.record("the old session did not answer: \(answer)"); return }
            let facts = try JSONDecoder().decode(HostFacts.self, from: Data(line.utf8))
            #expect(facts.build == older.build, "answered by the old build, whose file was replaced meanwhile")
            let now = try await lab.exec("hv1", [Self.path, "build-info", "--json"])
            #expect(now.stdout.contains(try #require(ELFImage.read(path: release).buildID)), "hv1 has this build now")

            // The package, installed with dpkg in hv1 (its own /usr and /var/lib/dpkg; no log or
            // triggers on this machine's /var), is what check runs there.
            guard let package = Self.package() else {
                Issue.record("no package in dist/: run scripts/package (scripts/test does)")
                return
            }
            let dpkg = try await lab.exec("hv1", ["dpkg", "--log=/dev/null", "--no-triggers", "-i", package], timeout: .seconds(120))
            #expect(dpkg.exitCode == 0, "dpkg -i: \(dpkg.stdout)\(dpkg.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "/usr/bin/storagekit"), "installed in hv1 only")
            let packaged = try lab.directory.write("packaged.yaml", specText.replacingOccurrences(of: "path: \(Self.path)", with: "path: /usr/bin/storagekit"))
            let viaPackage = try await Self.run(release, ["check", "--spec", packaged, "--host", "hv1", "--json", "--timeout", "10"])
            let packagedReport = try report(viaPackage)
            #expect(packagedReport.findings.contains { $0.check == CheckID.hostFacts && $0.status == .pass && $0.hosts == ["hv1"] },
                    "\(packagedReport.findings.filter { $0.status != .pass })")
            #expect(viaPackage.exitCode == 0 && packagedReport.ready, "\(packagedReport.findings.filter { $0.status == .fail })")
        }
    }

    static func run(_ binary: String, _ arguments: [String]) async throws -> CommandResult {
        try await SubprocessRunner().run(Command(binary, arguments, timeout: .seconds(120)))
    }

    /// A process of this machine whose command line is `argv`.
    static func running(_ argv: [String]) -> Bool {
        let wanted = Data(argv.joined(separator: "\0").utf8) + Data([0])
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.contains { pid in
            guard pid.allSatisfy(\.isNumber) else { return false }
            return FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") == wanted
        }
    }

    /// The newest package scripts/package made (`STORAGEKIT_DEB`, else dist/).
    static func package() -> String? {
        // Absolute: dpkg runs inside a lab host, whose working directory is not this one.
        if let path = ProcessInfo.processInfo.environment["STORAGEKIT_DEB"] {
            return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        let dist = RealTool.packageRoot.appendingPathComponent("dist").path
        let debs = ((try? FileManager.default.contentsOfDirectory(atPath: dist)) ?? []).filter { $0.hasSuffix(".deb") }.sorted()
        return debs.last.map { "\(dist)/\($0)" }
    }
}
