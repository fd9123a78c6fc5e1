import BenchSupport
import StorageModel
import StorageRender
import Testing

@Suite struct BenchReportTests {
    func verdict(_ line: String) throws -> Verdict { Verdict(try BenchRow.parse(Substring(line), lineNumber: 1)) }

    @Test func aSpeedupIsTheAlternativesMedianOverOurs() throws {
        let met = try verdict("ansible\tsetup nfs\ts\t1,2,3,9,2\tansible-playbook\t10,12,11,30,13\tspeedup>=5")
        #expect(met.ratio == "6× faster")
        #expect(met.outcome == .pass)
        #expect(met.storagekit == "2 s (1–9, n=5)")
        #expect(met.alternative == "ansible-playbook: 12 s (10–30, n=5)")
        let missed = try verdict("ansible\tsetup nfs\ts\t3\tansible-playbook\t12\tspeedup>=5")
        #expect(missed.ratio == "4× faster")
        #expect(missed.outcome == .fail)
    }

    @Test func aRatioGoalIsOursOverTheAlternatives() throws {
        let row = try verdict("probe\t32 LUNs\tms\t5.8,6.0\tone LUN\t1,1\tratio<=3")
        #expect(row.ratio == "5.9×")
        #expect(row.outcome == .fail)
        #expect(try verdict("probe\tone LUN\tms\t0.8\tiscsi-inq\t4\tratio<=1.2").outcome == .pass)
    }

    @Test func absoluteAndTimeoutGoals() throws {
        #expect(try verdict("render\t200 hosts\ts\t0.4,0.45,0.6\t-\t-\tat-most=0.5").outcome == .pass)
        #expect(try verdict("render\t200 hosts\ts\t0.4,0.55,0.6\t-\t-\tat-most=0.5").outcome == .fail)
        let late = try verdict("timeouts\tblackholed portal\ts\t3.7,3.8,3.9\tconfigured timeout\t3,3,3\talternative+0.5")
        #expect(late.ratio == "+0.8 s")
        #expect(late.outcome == .fail)
        let early = try verdict("timeouts\tstopped host\ts\t2.7\tconfigured timeout\t3\talternative+0.5")
        #expect(early.outcome == .pass)
        #expect(early.ratio == "-0.3 s")
    }

    @Test func aWordRowPassesOnlyOnYes() throws {
        let yes = try verdict("tgt-update\tin-use target changed\t-\tyes\ttgt-admin --update ALL\tskipped,exit-0\tyes")
        #expect(yes.outcome == .pass)
        #expect(yes.alternative == "tgt-admin --update ALL: skipped,exit-0")
        #expect(try verdict("tgt-update\tin-use target changed\t-\tno\t-\t-\tyes").outcome == .fail)
    }

    @Test func aRowWithoutAGoalShowsItsRatioAndNoVerdict() throws {
        let row = try verdict("probe\t32 LUNs\tms\t6\tiscsi-inq\t3\tnone")
        #expect(row.ratio == "2× slower")
        #expect(row.outcome == .none)
    }

    @Test func missingFiguresFailAGoalInsteadOfPassingIt() throws {
        #expect(try verdict("x\ty\ts\t1\t-\t-\tspeedup>=2").outcome == .fail)
    }

    @Test func malformedLinesNameTheirLineAndField() {
        #expect(throws: BenchRowError(line: 2, message: "has 3 TAB-separated fields, not 7")) {
            try BenchRow.parseAll("a\tb\ts\t1\t-\t-\tnone\na\tb\tc\n")
        }
        #expect(throws: BenchRowError(line: 1, message: "goal 'faster' is not one of speedup>=N, ratio<=N, at-most=N, alternative+N, yes, none")) {
            try BenchRow.parseAll("a\tb\ts\t1\t-\t-\tfaster")
        }
        #expect(throws: BenchRowError(line: 1, message: "storagekit samples '1,x' are neither numbers nor one word")) {
            try BenchRow.parseAll("a\tb\ts\t1,x\t-\t-\tnone")
        }
    }

    @Test func theDocumentCountsGoalsAndNamesEachMissedOne() throws {
        let verdicts = try BenchRow.parseAll("""
            render\t200 hosts | all files\ts\t0.3\t-\t-\tat-most=0.5
            probe\t32 LUNs\tms\t6\tone LUN\t1\tratio<=3
            probe\tcontext\tms\t6\tiscsi-inq\t3\tnone
            """).map(Verdict.init)
        let document = ReportTable.document(verdicts, date: "2026-11-25 12:00:00 UTC", machine: "test box", command: "scripts/bench")
        #expect(document.contains("| render | 200 hosts \\| all files | 0.3 s (n=1) | — |  | ≤ 0.5 | pass |"))
        #expect(document.contains("1 of 2 goals met. Missed: probe — 32 LUNs."))
        #expect(document.contains("Run 2026-11-25 12:00:00 UTC on test box"))
        let table = ReportTable.text(verdicts)
        #expect(table.split(separator: "\n").count == 4)
    }

    @Test(arguments: [(3, 7), (50, 100)])
    func theGeneratedScaleSpecIsValidAndRendersEveryHost(hypervisors: Int, luns: Int) throws {
        let loaded = try SpecLoader.load(yaml: ScaleSpec.yaml(hypervisors: hypervisors, luns: luns))
        let diagnostics = SpecValidator(secretFile: { _ in .missing }).validate(loaded)
        #expect(diagnostics.errors.isEmpty, "\(diagnostics.errors)")
        #expect(loaded.spec.hosts.count == hypervisors + 2)
        #expect(loaded.spec.iscsi?.targets.flatMap(\.luns).count == luns)
        let hv = try HostRenderer.render(loaded.spec, host: "hv\(hypervisors)")
        #expect(hv.contains { $0.path == "/etc/multipath.conf" })
        let san = try HostRenderer.render(loaded.spec, host: "san")
        #expect(!san.isEmpty)
    }
}
