import Foundation

extension DeploySource {
    /// `binary` (nil: the running program, whose file is `running`), which build it is, and its
    /// sha256; refused when hosts cannot run it.
    public static func read(_ binary: String?, running: String?, version: String, runner: any CommandRunner = SubprocessRunner()) async throws(SystemError) -> DeploySource {
        let path: String
        let info: BuildInfo
        do {
            if let binary {
                path = binary.hasPrefix("/") ? binary : FileManager.default.currentDirectoryPath + "/" + binary
                let said = try await runner.run(Command(path, ["build-info", "--json"], timeout: .seconds(30)))
                guard said.succeeded else { throw SystemError(.binary, "\(binary) build-info failed: \(said.stderr.split(separator: "\n").last ?? "")") }
                do { info = try JSONDecoder().decode(BuildInfo.self, from: Data(said.stdout.utf8)) } catch {
                    throw SystemError(.binary, "\(binary) build-info printed what this storagekit cannot read: is it storagekit?")
                }
            } else {
                guard let running else { throw SystemError(.binary, "cannot find this program's own file (/proc/self/exe)") }
                path = running
                info = try BuildInfo.running(version: version)
            }
        } catch let error as SystemError where error.code == .binary {
            throw error
        } catch {
            throw SystemError(.binary, "\(error)", cause: (error as? SystemError)?.code)
        }
        if let unfit = info.unfitForHosts { throw SystemError(.binary, "\(binary.map { "\($0): " } ?? "")\(unfit)") }
        let sum: CommandResult
        do { sum = try await runner.run(Command("sha256sum", ["--", path], timeout: .seconds(120))) } catch {
            throw SystemError(.binary, "cannot compute the sha256 of \(path): \(error)")
        }
        guard sum.succeeded, let sha256 = sum.stdout.split(separator: " ").first.map(String.init), sha256.count == 64 else {
            throw SystemError(.binary, "cannot compute the sha256 of \(path): \(sum.stderr)")
        }
        return DeploySource(path: path, info: info, sha256: sha256)
    }
}
