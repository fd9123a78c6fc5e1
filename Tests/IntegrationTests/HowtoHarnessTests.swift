import Foundation
import StorageFacts
import StorageModel
import Testing

/// The harness of docs/howto itself: parser, normalizer, comparison, command policy and the
/// cluster-name mapping, each shown to fail where it must.
extension HowtoTests {
    static let sample = """
        # A page
        <!-- howto-lab: examples/lab.yaml -->

        ```console
        $ storagekit validate --spec examples/kvm-nfs.yaml
        examples/kvm-nfs.yaml: valid (cluster kvmlab, 3 host(s), 0 warning(s))
        $ storagekit check --spec 'lab.yaml' --only "nfs"
        cluster lab
        ...
        NOT READY: 1 problem   (3 hypervisors, 0.3 s)

        # exit 1
        ```

        ```sh
        $ not run
        ```

        ```console
        $ storagekit lab down --spec examples/lab.yaml
        ```
        """

    @Suite struct Parser {
        @Test func stepsOutputsExitCodesAndTheLab() throws {
            let page = try HowtoPage(HowtoTests.sample)
            #expect(page.lab == "examples/lab.yaml")
            #expect(page.steps.map(\.line) == [5, 7, 20])
            #expect(page.steps[0].argv == ["storagekit", "validate", "--spec", "examples/kvm-nfs.yaml"])
            #expect(page.steps[0].expected == ["examples/kvm-nfs.yaml: valid (cluster kvmlab, 3 host(s), 0 warning(s))"])
            #expect(page.steps[0].exitCode == 0)
            #expect(page.steps[1].argv == ["storagekit", "check", "--spec", "lab.yaml", "--only", "nfs"])
            #expect(page.steps[1].expected == ["cluster lab", "...", "NOT READY: 1 problem   (3 hypervisors, 0.3 s)"])
            #expect(page.steps[1].exitCode == 1)
            #expect(page.steps[2].expected.isEmpty)
        }

        @Test func rewritingReplacesOnlyTheGivenStepsAndKeepsTheRest() throws {
            let page = try HowtoPage(HowtoTests.sample)
            let text = page.replacingOutputs([1: (["cluster lab", "READY"], 0), 2: (["removed  bridge skb1"], 3)])
            let again = try HowtoPage(text)
            #expect(again.steps[0] == page.steps[0])
            #expect(again.steps[1].expected == ["cluster lab", "READY"])
            #expect(again.steps[1].exitCode == 0)
            #expect(again.steps[2].expected == ["removed  bridge skb1"])
            #expect(again.steps[2].exitCode == 3)
            #expect(text.contains("```sh\n$ not run\n```"))
            #expect(text.hasPrefix("# A page\n<!-- howto-lab: examples/lab.yaml -->\n"))
        }

        @Test(arguments: [
            ("```console\n$ storagekit check | grep FAIL\n```", 2, "`|` needs a shell"),
            ("```console\n$ storagekit check > out\n```", 2, "`>` needs a shell"),
            ("```console\n$ cat $HOME/x\n```", 2, "`$` needs a shell"),
            ("```console\n$ cat 'x\n```", 2, "unclosed quote"),
            ("```console\nREADY\n```", 2, "output before any `$ ` command"),
            ("```console\n$ storagekit validate --spec x.yaml\n", 1, "not closed"),
            ("<!-- howto-lab: a.yaml -->\n<!-- howto-lab: b.yaml -->", 2, "a second howto-lab"),
        ])
        func refusesWhatItCannotRunFaithfully(text: String, line: Int, message: String) {
            let error = #expect(throws: HowtoPage.ParseError.self) { try HowtoPage(text) }
            #expect(error?.line == line)
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
        }

        @Test func wordsLikeAShellWithoutOne() throws {
            #expect(try Words.split(#"a 'b c' "d \"e\"" f'g'"#) == ["a", "b c", #"d "e""#, "fg"])
            #expect(try Words.split("  spaced   out  ") == ["spaced", "out"])
            #expect(try Words.split("'a|b'") == ["a|b"])
            #expect(try Words.split("''") == [""])
        }
    }

    @Suite struct Output {
        @Test(arguments: [
            ("READY (2 warnings)   (2 hypervisors, 0.2 s)", "READY (2 warnings)   (2 hypervisors, <n.n> s)"),
            ("  65.2 ms in all: discovery 0.1, tcp 0.3", "  <n.n> ms in all: discovery <n.n>, tcp <n.n>"),
            ("waited 12 ms, then 3 s", "waited <n> ms, then <n> s"),
            (
                "  backup of this run on san1: /var/lib/storagekit/backups/20261125T083045Z (`storagekit rollback` restores it)",
                "  backup of this run on san1: /var/lib/storagekit/backups/<utc> (`storagekit rollback` restores it)"
            ),
            ("removed  process 21191", "removed  process <pid>"),
            ("removed /srv/xen/.storagekit-canary-65E599C3; export root", "removed /srv/xen/.storagekit-canary-<id>; export root"),
            ("trailing blanks   ", "trailing blanks"),
            ("every hypervisor runs debian 12", "every hypervisor runs <os>"),
            ("every hypervisor's CPU is GenuineIntel", "every hypervisor's CPU is <vendor>"),
            ("every hypervisor has the same 105 CPU flags", "every hypervisor has the same <n> CPU flags"),
        ])
        func normalizesWhatDiffersBetweenHonestRuns(line: String, normalized: String) {
            #expect(HowtoNormalizer.normalize(line) == normalized)
        }

        @Test(arguments: [
            "  ok   iscsi.portal.reachable   10.20.0.5:3260 answers",
            "    100005    3   tcp    892  mountd",
            "    LUN 1  serial SK0CF312C8C67C12  wwid 365ebbade0ed82dc3315cd3b9232d8a4e  6442450944 bytes",
            "created  bridge skb5c64e577 (10.20.0.0/24)",
        ])
        func leavesFactsAlone(line: String) {
            #expect(HowtoNormalizer.normalize(line) == line)
        }

        @Test func aChangedValueIsStillAChange() {
            let documented = ["    100005    3   tcp    892  mountd"], real = ["    100005    3   tcp    893  mountd"]
            let comparison = HowtoComparison(documented: documented, actual: real)
            #expect(!comparison.matches)
            #expect(comparison.diff() == ["-     100005    3   tcp    892  mountd", "+     100005    3   tcp    893  mountd"])
        }

        @Test func equalAfterNormalizingMatches() {
            #expect(HowtoComparison(documented: ["READY   (2 hypervisors, 0.2 s)"], actual: ["READY   (2 hypervisors, 1.7 s)"]).matches)
        }

        @Test func anElisionMatchesAnyRunOfLinesNoneIncluded() {
            let documented = ["first", "...", "last"]
            #expect(HowtoComparison(documented: documented, actual: ["first", "last"]).matches)
            #expect(HowtoComparison(documented: documented, actual: ["first", "a", "b", "c", "last"]).matches)
            #expect(HowtoComparison(documented: ["...", "last"], actual: ["a", "last"]).matches)
            #expect(HowtoComparison(documented: ["first", "..."], actual: ["first"]).matches)
            #expect(!HowtoComparison(documented: documented, actual: ["first", "a"]).matches)
            #expect(!HowtoComparison(documented: documented, actual: ["a", "last"]).matches)
        }

        @Test func theDiffShowsTheChangeInItsContextAndCutsTheRest() {
            let documented = ["a", "b", "c", "d", "e", "f", "g", "h"]
            var real = documented
            real[6] = "G"
            #expect(
                HowtoComparison(documented: documented, actual: real).diff() == [
                    "  @@ 4 matching line(s) @@", "  e", "  f", "- g", "+ G", "  h",
                ])
            #expect(
                HowtoComparison(documented: ["a", "...", "z", "end"], actual: ["a", "1", "2", "z", "END"]).diff() == [
                    "  @@ 1 matching line(s) @@", "  ... (2 line(s))", "  z", "- end", "+ END",
                ])
        }

        @Test func standardErrorFollowsStandardOutputAndTrailingBlankLinesGo() {
            #expect(HowtoPageRun.lines(stdout: "a\nb\n", stderr: "error: c\n\n") == ["a", "b", "error: c"])
            #expect(HowtoPageRun.lines(stdout: "a", stderr: "e") == ["a", "e"])
            #expect(HowtoPageRun.lines(stdout: "", stderr: "") == [])
        }

        @Test func substitutionsApplyInOrder() {
            var substitutions = HowtoSubstitutions()
            substitutions.add("/tmp/x/spec.yaml", "examples/lab.yaml")
            substitutions.add("/tmp/x/", "")
            substitutions.add("skh-page", "lab")
            substitutions.add("same", "same")
            #expect(substitutions.pairs.count == 3)
            #expect(
                substitutions.apply("lab up --spec /tmp/x/spec.yaml; /tmp/x/lab.yaml; sk-skh-page-hv1")
                    == "lab up --spec examples/lab.yaml; lab.yaml; sk-lab-hv1")
        }
    }

    /// What a run reports when the tool's output moved away from the page.
    @Suite struct Mismatches {
        @Test func aChangedLineIsReportedWithThePageLineAndTheCommand() throws {
            let page = try HowtoPage(HowtoTests.sample)
            let outputs = [
                HowtoPageRun.Output(lines: ["examples/kvm-nfs.yaml: valid (cluster kvmlab, 3 host(s), 1 warning(s))"], exitCode: 0),
                HowtoPageRun.Output(lines: ["cluster lab", "  FAIL x", "NOT READY: 1 problem   (3 hypervisors, 2.1 s)"], exitCode: 1),
                HowtoPageRun.Output(lines: [], exitCode: 2),
            ]
            let mismatches = HowtoPageRun.mismatches(page, outputs)
            #expect(mismatches.map(\.index) == [0, 2])
            let report = try #require(mismatches.first).report(page: "docs/howto/x.md")
            #expect(report.contains("docs/howto/x.md:5: `storagekit validate --spec examples/kvm-nfs.yaml` did not do what the page shows"))
            #expect(report.contains("    - examples/kvm-nfs.yaml: valid (cluster kvmlab, 3 host(s), 0 warning(s))"))
            #expect(report.contains("    + examples/kvm-nfs.yaml: valid (cluster kvmlab, 3 host(s), 1 warning(s))"))
            #expect(mismatches[1].report(page: "p").contains("exit status 2, the page says 0"))
        }

        /// The real pipeline (the storagekit binary, the page's directory, the comparison) on a
        /// page with one wrong line: it must be reported, and the right page must pass.
        @Test func aRealRunOfAWrongPageFails() async throws {
            let right = """
                ```console
                $ storagekit validate --spec examples/xen-iscsi-multipath.yaml
                examples/xen-iscsi-multipath.yaml: valid (cluster xenlab, 3 host(s), 1 warning(s))
                ...
                $ cat examples/xen-iscsi-multipath.yaml
                ...
                cluster: xenlab
                ...
                ```
                """
            let run = try await HowtoPageRun.run(name: "wrong.md", text: right.replacingOccurrences(of: "1 warning(s)", with: "2 warning(s)"))
            #expect(run.refusals.isEmpty)
            #expect(run.mismatches.map(\.step.line) == [2])
            let rightRun = try await HowtoPageRun.run(name: "right.md", text: right)
            #expect(rightRun.mismatches.isEmpty)
            #expect(rightRun.outputs.first?.lines.first == "examples/xen-iscsi-multipath.yaml: valid (cluster xenlab, 3 host(s), 1 warning(s))")
        }
    }

    @Suite struct Policy {
        @Test(arguments: [
            "storagekit validate --spec examples/kvm-nfs.yaml",
            "storagekit render --spec examples/kvm-nfs.yaml --all --root cluster",
            "storagekit lab up --spec examples/lab.yaml --write-spec lab.yaml",
            "storagekit lab down --spec examples/lab.yaml",
            "storagekit lab exec --spec lab.yaml hv1 -- rpcinfo -p 10.99.1.9",
            "storagekit check --spec lab.yaml --only nfs",
            "storagekit setup nfs --spec lab.yaml",
            "cat cluster/nfs1/etc/exports",
            "diff examples/kvm-nfs.yaml examples/namespace-lab/kvm-nfs.yaml",
        ])
        func runs(_ command: String) throws {
            #expect(HowtoLab.refusal(try Words.split(command), lab: "examples/lab.yaml") == nil)
        }

        @Test(arguments: [
            ("storagekit check --spec examples/lab.yaml", "acts on the spec's hosts"),
            ("storagekit setup nfs --spec cluster.yaml", "acts on the spec's hosts"),
            ("storagekit probe nfs --server 10.99.1.9", "probes run on lab hosts"),
            ("storagekit lab up --spec examples/lab.yaml --kernel", "kernel lab"),
            ("storagekit lab up --spec examples/kvm-nfs.yaml", "the page's lab spec"),
            ("storagekit lab up --spec examples/lab.yaml --write-spec other.yaml", "write the lab's spec to lab.yaml"),
            ("storagekit lab exec --spec examples/lab.yaml hv1 -- true", "needs --spec lab.yaml"),
            ("storagekit render --spec examples/lab.yaml --all --root /", "relative path"),
            ("storagekit render --spec examples/lab.yaml --all --root ../out", "relative path"),
            ("storagekit render --spec examples/lab.yaml --all --root examples/out", "relative path"),
            ("cat /etc/shadow", "page's directory only"),
            ("ip netns list", "only `storagekit …`"),
        ])
        func refuses(_ command: String, because reason: String) throws {
            let refusal = HowtoLab.refusal(try Words.split(command), lab: "examples/lab.yaml")
            #expect(refusal?.contains(reason) == true, "\(refusal ?? "nil")")
        }

        @Test func labSpecsKeepTheirDataInsideTheLab() throws {
            for name in ["lab", "namespace-lab/kvm-nfs", "namespace-lab/xen-iscsi-multipath", "namespace-lab/xen-nfs-on-hypervisor"] {
                #expect(
                    HowtoLab.pathsOutsideTheLab(try RealTool.load(RealTool.packageRoot.appendingPathComponent("examples/\(name).yaml")))
                        == [], "\(name)")
            }
            let kvm = try RealTool.load(RealTool.packageRoot.appendingPathComponent("examples/kvm-nfs.yaml"))
            #expect(HowtoLab.pathsOutsideTheLab(kvm) == ["/mnt/storage", "/data1/storage"])
            let xen = try RealTool.load(RealTool.packageRoot.appendingPathComponent("examples/xen-iscsi-multipath.yaml"))
            #expect(HowtoLab.pathsOutsideTheLab(xen) == ["/iscsidata/test.img"])
        }

        @Test func theTestClusterIsMappedBackToTheReaders() throws {
            let text = try String(contentsOf: RealTool.packageRoot.appendingPathComponent("examples/lab.yaml"), encoding: .utf8)
            let reader = try SpecLoader.load(yaml: text).spec
            let test = try SpecLoader.load(yaml: text.replacingOccurrences(of: "cluster: lab", with: "cluster: skh-probe")).spec
            let substitutions = try HowtoLab.substitutions(test: test, reader: reader)
            let target = try #require(test.iscsi?.targets.first), lun = try #require(target.luns.first)
            let seen =
                "LUN 1 serial \(test.identity(of: target, lun).serial) WWID \(test.identity(of: target, lun).wwid) on sk-skh-probe-hv1"
            // The reader's lab cluster "lab": the serial docs/commands.md shows, as its lab prints it.
            #expect(
                substitutions.apply(seen) == "LUN 1 serial SK4EA6E55E24828D WWID \(reader.identity(of: target, lun).wwid) on sk-lab-hv1")
            #expect(HowtoLab.clusterName(page: "kvm-migration-requirements") == "skh-kvm-migration-requirements")
            #expect(HowtoLab.clusterName(page: String(repeating: "x", count: 40)).count == 32)
            #expect(HowtoLab.clusterName(page: "abcdefghijklmnopqrstuvwxyz1-tail") == "skh-abcdefghijklmnopqrstuvwxyz1")
        }
    }
}
