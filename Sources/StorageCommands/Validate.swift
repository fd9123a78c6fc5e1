import ArgumentParser
import StorageModel

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a spec and report every problem with its line and fix.",
        discussion: "Exit status: 0 valid (warnings allowed), 2 invalid or unreadable.")

    @OptionGroup var options: SpecOptions

    @Flag(help: "Print one JSON document: {valid, errors, warnings, diagnostics:[{severity,path,line,message,fix}]}.")
    var json = false

    func run() async throws {
        let loaded = try options.load()
        let diagnostics = options.validate(loaded)
        if json {
            try Console.json(ValidationReport(
                valid: !diagnostics.hasErrors, errors: diagnostics.errors.count, warnings: diagnostics.warnings.count,
                diagnostics: diagnostics))
        } else {
            for diagnostic in diagnostics { Console.error(diagnostic.formatted(file: options.spec)) }
            let hosts = loaded.spec.hosts.count
            if diagnostics.hasErrors {
                Console.error("\(options.spec): \(diagnostics.errors.count) error(s), \(diagnostics.warnings.count) warning(s)")
            } else {
                print("\(options.spec): valid (cluster \(loaded.spec.cluster), \(hosts) host(s), \(diagnostics.warnings.count) warning(s))")
            }
        }
        if diagnostics.hasErrors { throw ExitCode(2) }
    }
}

struct ValidationReport: Encodable {
    let valid: Bool
    let errors: Int
    let warnings: Int
    let diagnostics: [Diagnostic]
}
