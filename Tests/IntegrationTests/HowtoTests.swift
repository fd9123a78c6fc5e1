import Foundation
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// docs/howto/*.md run as written: every `$ ` command of every ```console block, its output
/// and exit status compared with the page (rules: HowtoPage, HowtoOutput, HowtoLab; for readers:
/// docs/howto/README.md). A page that declares a lab gets a fresh one under an `skh-…` cluster
/// name, taken down afterwards whatever happened.
///
///     STORAGEKIT_UPDATE_HOWTOS=1 swift test --skip-build --filter HowtoTests
///
/// rewrites the output of every step that no longer matches with the real one (a matching step,
/// `...` included, is left as written); review the diff like any golden file.
@Suite(.serialized) struct HowtoTests {
    static let directory = RealTool.packageRoot.appendingPathComponent("docs/howto")
    static let pages: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
    static var updating: Bool { ProcessInfo.processInfo.environment["STORAGEKIT_UPDATE_HOWTOS"] == "1" }

    @Test(.tags(.lab), .needsLab, arguments: pages) func pageRunsAsWritten(_ name: String) async throws {
        let path = Self.directory.appendingPathComponent(name).path
        let started = ContinuousClock.now
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let run = try await HowtoPageRun.run(name: name, text: text)
        for issue in run.refusals { Issue.record(Comment(rawValue: "docs/howto/\(name):\(issue)")) }
        if Self.updating, !run.mismatches.isEmpty, run.refusals.isEmpty {
            try run.rewritten().write(toFile: path, atomically: true, encoding: .utf8)
            print("docs/howto/\(name): rewrote \(run.mismatches.count) step(s)")
        } else {
            for mismatch in run.mismatches { Issue.record(Comment(rawValue: mismatch.report(page: "docs/howto/\(name)"))) }
        }
        #expect(!run.page.steps.isEmpty, "docs/howto/\(name) has no ```console step")
        let slow = zip(run.page.steps, run.outputs).filter { $0.1.duration > .seconds(2) }.map { "line \($0.0.line) \($0.1.duration)" }
        print(
            "docs/howto/\(name): \(run.page.steps.count) step(s) in \(ContinuousClock.now - started)"
                + (slow.isEmpty ? "" : "; slow: " + slow.joined(separator: ", ")))
    }

    @Test func everyPageIsInTheIndex() throws {
        let index = try String(contentsOf: Self.directory.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(!Self.pages.isEmpty)
        for page in Self.pages { #expect(index.contains("(\(page))"), "docs/howto/README.md does not link \(page)") }
    }
}

/// One page run: each step's real output (substituted, as the reader would see it) and the
/// steps whose output or exit status differs from the page.
struct HowtoPageRun {
    struct Output: Equatable {
        var lines: [String]
        var exitCode: Int32
        var duration: Duration = .zero
    }

    struct Mismatch {
        var index: Int
        var step: HowtoPage.Step
        var output: Output
        var comparison: HowtoComparison

        func report(page: String) -> String {
            var lines = ["\(page):\(step.line): `\(step.command)` did not do what the page shows"]
            if output.exitCode != step.exitCode { lines.append("  exit status \(output.exitCode), the page says \(step.exitCode)") }
            if !comparison.matches { lines += ["  output (- page, + real run):"] + comparison.diff().map { "    " + $0 } }
            lines.append("  after review: STORAGEKIT_UPDATE_HOWTOS=1 swift test --skip-build --filter HowtoTests")
            return lines.joined(separator: "\n")
        }
    }

    let page: HowtoPage
    var outputs: [Output] = []
    var refusals: [String] = []

    var mismatches: [Mismatch] { Self.mismatches(page, outputs) }

    static func mismatches(_ page: HowtoPage, _ outputs: [Output]) -> [Mismatch] {
        zip(page.steps.indices, zip(page.steps, outputs)).compactMap { index, pair in
            let (step, output) = pair
            let comparison = HowtoComparison(documented: step.expected, actual: output.lines)
            return comparison.matches && output.exitCode == step.exitCode
                ? nil : Mismatch(index: index, step: step, output: output, comparison: comparison)
        }
    }

    /// The page with every mismatched step's output replaced by the real one.
    func rewritten() -> String {
        page.replacingOutputs(Dictionary(uniqueKeysWithValues: mismatches.map { ($0.index, ($0.output.lines, $0.output.exitCode)) }))
    }

    /// Splits what a command printed (standard output, then standard error) into lines.
    static func lines(stdout: String, stderr: String) -> [String] {
        var text = stdout
        if !text.isEmpty && !text.hasSuffix("\n") && !stderr.isEmpty { text += "\n" }
        text += stderr
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines
    }

    /// Runs the page in a directory of its own (`examples/` linked in), with its lab when it
    /// declares one. Refused commands are not run.
    static func run(name: String, text: String) async throws -> HowtoPageRun {
        let page = try HowtoPage(text)
        var run = HowtoPageRun(page: page)
        for step in page.steps {
            if let why = HowtoLab.refusal(step.argv, lab: page.lab) { run.refusals.append("\(step.line): `\(step.command)`: \(why)") }
        }
        guard run.refusals.isEmpty else { return run }
        guard let lab = page.lab else {
            let directory = try TemporaryDirectory("storagekit-howto")
            let context = try Context(directory: directory.path, substitutions: Context.inDirectory(directory.path), lab: nil)
            run.outputs = try await context.run(page.steps)
            return run
        }
        guard lab.hasPrefix("examples/"), lab.hasSuffix(".yaml") else {
            run.refusals.append("the lab spec must be a file examples/….yaml, not \(lab)")
            return run
        }
        let fixture = try LabFixture(
            cluster: HowtoLab.clusterName(page: String(name.dropLast(3))),
            example: String(lab.dropFirst("examples/".count).dropLast(".yaml".count)))
        let test = try SpecLoader.load(yaml: String(contentsOfFile: fixture.spec, encoding: .utf8)).spec
        let reader = try SpecLoader.load(yaml: String(contentsOf: RealTool.packageRoot.appendingPathComponent(lab), encoding: .utf8)).spec
        let outside = HowtoLab.pathsOutsideTheLab(test)
        guard outside.isEmpty else {
            run.refusals.append(
                "\(lab) would write \(outside.joined(separator: ", ")) on this machine: a lab host owns only /etc, /var/lib, /srv and /run (see examples/namespace-lab/)"
            )
            return run
        }
        var substitutions = HowtoSubstitutions()
        substitutions.add(fixture.spec, lab)
        substitutions.pairs += Context.inDirectory(fixture.directory.path).pairs
        substitutions.pairs += try HowtoLab.substitutions(test: test, reader: reader).pairs
        let context = try Context(directory: fixture.directory.path, substitutions: substitutions, lab: (lab, fixture))
        _ = try await fixture.storagekit(["lab", "down", "--spec", fixture.spec])
        var failure: (any Error)?
        do { run.outputs = try await context.run(page.steps) } catch { failure = error }
        let down = try await fixture.storagekit(["lab", "down", "--spec", fixture.spec])
        if !down.succeeded { run.refusals.append("lab down: \(down.stderr)") }
        try? FileManager.default.removeItem(atPath: fixture.secretFile)
        if let failure { throw failure }
        return run
    }

    /// Where and how a page's commands run.
    struct Context {
        let directory: String
        let substitutions: HowtoSubstitutions
        let lab: (spec: String, fixture: LabFixture)?

        init(directory: String, substitutions: HowtoSubstitutions, lab: (spec: String, fixture: LabFixture)?) throws {
            self.directory = directory
            self.substitutions = substitutions
            self.lab = lab
            try FileManager.default.createSymbolicLink(
                atPath: "\(directory)/examples", withDestinationPath: RealTool.packageRoot.appendingPathComponent("examples").path)
        }

        /// The page's directory is the reader's current directory: its paths become relative.
        static func inDirectory(_ directory: String) -> HowtoSubstitutions {
            var substitutions = HowtoSubstitutions()
            substitutions.add(directory + "/", "")
            substitutions.add(directory, ".")
            return substitutions
        }

        func run(_ steps: [HowtoPage.Step]) async throws -> [Output] {
            var outputs: [Output] = []
            for step in steps { outputs.append(try await run(step)) }
            return outputs
        }

        func run(_ step: HowtoPage.Step) async throws -> Output {
            var argv = step.argv
            if argv[0] == "storagekit" {
                argv[0] = RenderCommandTests.binary
                // `lab up/down --spec <the page's lab>` acts on the test's copy of it.
                if let lab, argv.count > 1, argv[1] == "lab", let index = argv.firstIndex(of: "--spec"), argv.indices.contains(index + 1),
                    argv[index + 1] == lab.spec
                {
                    argv[index + 1] = lab.fixture.spec
                }
            }
            let binDirectory = (RenderCommandTests.binary as NSString).deletingLastPathComponent
            let path = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            let started = ContinuousClock.now
            let result = try await SubprocessRunner().run(
                Command("/usr/bin/env", ["-C", directory, "--"] + argv, timeout: .seconds(180), environment: ["PATH": path]))
            let duration = ContinuousClock.now - started
            var substitutions = self.substitutions
            if let lab, let secret = try? lab.fixture.secret(), !secret.isEmpty {
                substitutions.pairs.insert((secret, "<chap-secret>"), at: 0)
            }
            let lines = HowtoPageRun.lines(stdout: substitutions.apply(result.stdout), stderr: substitutions.apply(result.stderr))
            return Output(lines: lines, exitCode: result.exitCode ?? -(result.signal ?? 1), duration: duration)
        }
    }
}
