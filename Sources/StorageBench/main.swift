import BenchSupport
import Foundation

// StorageBench: the measuring side of scripts/bench.
//   StorageBench iscsi PORTAL TARGET INITIATOR LUNS ROUNDS [KIND]  rows of the probe section (run inside a lab host)
//   StorageBench scale-spec HYPERVISORS LUNS                 a generated spec for the render section
//   StorageBench lab-spec HYPERVISORS [CLUSTER]               a generated lab spec for the scale section
//   StorageBench report ROWS RESULTS MACHINE COMMAND          the table, printed and written to RESULTS

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("StorageBench: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "iscsi":
    guard (6...7).contains(arguments.count), let luns = Int(arguments[4]), let rounds = Int(arguments[5]) else {
        fail("usage: StorageBench iscsi PORTAL TARGET INITIATOR LUNS ROUNDS [TARGET-KIND]")
    }
    let rows = try await ISCSIProbeBench(portal: arguments[1], target: arguments[2], initiator: arguments[3], luns: luns, rounds: rounds,
                                         kind: arguments.count == 7 ? arguments[6] : nil).run()
    print(rows.joined(separator: "\n"))
case "scale-spec":
    guard arguments.count == 3, let hypervisors = Int(arguments[1]), let luns = Int(arguments[2]), hypervisors >= 1, luns >= 1 else {
        fail("usage: StorageBench scale-spec HYPERVISORS LUNS")
    }
    print(ScaleSpec.yaml(hypervisors: hypervisors, luns: luns), terminator: "")
case "lab-spec":
    guard (2...3).contains(arguments.count), let hypervisors = Int(arguments[1]), (1...240).contains(hypervisors) else {
        fail("usage: StorageBench lab-spec HYPERVISORS (1 to 240) [CLUSTER]")
    }
    print(ScaleSpec.labYAML(hypervisors: hypervisors, cluster: arguments.count == 3 ? arguments[2] : "skscale"), terminator: "")
case "report":
    guard arguments.count == 5 else { fail("usage: StorageBench report ROWS RESULTS MACHINE COMMAND") }
    let text: String
    do { text = try String(contentsOfFile: arguments[1], encoding: .utf8) } catch { fail("cannot read \(arguments[1]): \(error.localizedDescription)") }
    let verdicts: [Verdict]
    do { verdicts = try BenchRow.parseAll(text).map(Verdict.init) } catch { fail("\(arguments[1]): \(error)") }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
    let document = ReportTable.document(verdicts, date: formatter.string(from: Date()) + " UTC", machine: arguments[3], command: arguments[4])
    do { try document.write(toFile: arguments[2], atomically: true, encoding: .utf8) } catch { fail("cannot write \(arguments[2]): \(error.localizedDescription)") }
    print(ReportTable.text(verdicts), terminator: "")
    let missed = verdicts.filter { $0.outcome == .fail }.count
    print(missed == 0 ? "every goal met" : "\(missed) goal\(missed == 1 ? "" : "s") missed")
default:
    fail("usage: StorageBench iscsi|scale-spec|lab-spec|report …")
}
