import ArgumentParser
import Foundation
import StorageModel
import StorageSystem

/// `--spec FILE`, shared by every command that reads a spec.
struct SpecOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The cluster spec (YAML).", valueName: "file"))
    var spec: String

    /// Loads and validates; prints diagnostics to stderr unless `quiet`. Throws exit code 2 when
    /// the spec cannot be read or has errors, and, for a command that reaches the spec's hosts
    /// (`reachesHosts`), when one of them would be reached outside a lab that is up here.
    func loadValidated(printWarnings: Bool = true, reachesHosts: Bool = true) throws -> (LoadedSpec, [Diagnostic]) {
        let loaded = try load()
        let diagnostics = validate(loaded)
        if diagnostics.hasErrors || printWarnings {
            for diagnostic in diagnostics { Console.error(diagnostic.formatted(file: spec)) }
        }
        if diagnostics.hasErrors {
            Console.error("\(spec): \(diagnostics.errors.count) error(s), \(diagnostics.warnings.count) warning(s)")
            throw ExitCode(2)
        }
        if reachesHosts { try refuseReachingALab(loaded.spec) }
        return (loaded, diagnostics)
    }

    /// Exit 2 when one of the spec's hosts would be reached outside a lab that is up here. A
    /// command that also refuses for reasons of its own (a Xen spec, an unknown host) says those
    /// first: they hold whatever labs are up.
    func refuseReachingALab(_ cluster: ClusterSpec) throws {
        if let refusal = LabLeakGuard.refusal(spec: cluster, specFile: spec, labs: LabLeakGuard.labsAtRisk) {
            Console.error("error: \(refusal)")
            throw ExitCode(2)
        }
    }

    func load() throws -> LoadedSpec {
        guard let text = try? String(contentsOfFile: spec, encoding: .utf8) else {
            Console.error("\(spec): cannot read the spec file (does it exist?)")
            throw ExitCode(2)
        }
        do {
            return try SpecLoader.load(yaml: text)
        } catch {
            Console.error("\(spec): \(error)")
            throw ExitCode(2)
        }
    }

    func validate(_ loaded: LoadedSpec) -> [Diagnostic] {
        let secrets = SecretFiles(fileSystem: LocalFileSystem())
        return SpecValidator(secretFile: { secrets.inspect($0) }).validate(loaded)
    }
}

enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
