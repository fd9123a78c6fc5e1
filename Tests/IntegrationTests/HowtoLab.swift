import Foundation
import StorageFacts
import StorageModel
import StorageSystem

/// What a page may run, and how its lab stands in for the reader's.
enum HowtoLab {
    /// The spec `lab up --write-spec` writes in the page's directory; every command that acts on
    /// hosts must use it (transport: lab), so nothing leaves the lab's namespaces.
    static let labSpec = "lab.yaml"

    /// Commands that act on hosts through the spec's transport.
    static let actingVerbs: Set<String> = [
        "plan", "apply", "setup", "firewall", "rollback", "iscsi", "multipath", "mount", "check", "rehearse", "facts",
    ]
    /// Commands that read the spec and write at most under `--root`.
    static let offlineVerbs: Set<String> = ["validate", "render"]

    /// Why the harness will not run `argv`, or nil. `lab` is the page's declared lab spec.
    static func refusal(_ argv: [String], lab: String?) -> String? {
        guard let tool = argv.first else { return "an empty command" }
        switch tool {
        case "cat", "diff":
            if let path = argv.dropFirst().first(where: { $0.hasPrefix("/") || $0.split(separator: "/").contains("..") }) {
                return "\(tool) reads files of the page's directory only, not \(path)"
            }
            return nil
        case "storagekit":
            break
        default:
            return "only `storagekit …`, `cat` and `diff` run (lab hosts: `storagekit lab exec --spec lab.yaml HOST -- …`)"
        }
        let words = Array(argv.dropFirst())
        let spec = words.firstIndex(of: "--spec").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        guard let verb = words.first else { return nil }
        if words.contains("--help") { return nil }
        if offlineVerbs.contains(verb) {
            let root = words.firstIndex(of: "--root").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
            // examples/ is a link to the repository's own: nothing may be written through it.
            if let root, root.hasPrefix("/") || root.split(separator: "/").contains("..") || root.split(separator: "/").first == "examples"
            {
                return "render writes under the page's directory only, not through examples/: give --root a relative path, not \(root)"
            }
            return nil
        }
        if actingVerbs.contains(verb) {
            return spec == labSpec ? nil : "`storagekit \(verb)` acts on the spec's hosts: give it --spec \(labSpec), the lab's spec"
        }
        if verb == "lab" {
            let action = words.dropFirst().first ?? ""
            if words.contains("--kernel") { return "the kernel lab is not run by the docs test" }
            if action == "exec" { return spec == labSpec ? nil : "`lab exec` needs --spec \(labSpec)" }
            guard let lab else { return "the page declares no lab (<!-- howto-lab: examples/….yaml -->)" }
            guard spec == lab || spec == labSpec else { return "`lab \(action)` must use the page's lab spec \(lab)" }
            if action == "up", let out = words.firstIndex(of: "--write-spec"), words.indices.contains(out + 1), words[out + 1] != labSpec {
                return "`lab up` must write the lab's spec to \(labSpec)"
            }
            return nil
        }
        return
            "`storagekit \(verb)` is not run by the docs test (probes run on lab hosts: `storagekit lab exec --spec \(labSpec) HOST -- storagekit probe …`)"
    }

    /// Paths of the spec a lab host would write outside the directories the lab gives it, i.e.
    /// on this machine's own file system.
    static func pathsOutsideTheLab(_ spec: ClusterSpec) -> [String] {
        let own = LabLayout.privateDirectories + LabLayout.dataDirectories + ["/run"]
        var paths = [spec.mountPath]
        for export in spec.nfs?.exports ?? [] { paths += [export.path] + (export.mountPath.map { [$0] } ?? []) }
        for target in spec.iscsi?.targets ?? [] { paths += target.luns.map(\.backingStore) }
        return paths.filter { path in !own.contains { path.hasPrefix($0 + "/") } }
    }

    /// Puts back, in real output, what running under the test's cluster name changed: names and
    /// LUN identities derived from it, lab device names hashed from it, then the name itself.
    static func substitutions(test: ClusterSpec, reader: ClusterSpec) throws -> HowtoSubstitutions {
        var result = HowtoSubstitutions()
        for (testTarget, readerTarget) in zip(test.iscsi?.targets ?? [], reader.iscsi?.targets ?? []) {
            for (testLUN, readerLUN) in zip(testTarget.luns, readerTarget.luns) {
                let from = test.identity(of: testTarget, testLUN), to = reader.identity(of: readerTarget, readerLUN)
                result.add(from.scsiID, to.scsiID)
                result.add(from.serial, to.serial)
            }
        }
        let testLayout = try LabLayout(spec: test, kernel: false), readerLayout = try LabLayout(spec: reader, kernel: false)
        for (from, to) in zip(testLayout.bridges, readerLayout.bridges) { result.add(from.name, to.name) }
        for (from, to) in zip(testLayout.hosts.flatMap(\.nics), readerLayout.hosts.flatMap(\.nics)) {
            result.add(from.rootName, to.rootName)
        }
        result.add(test.cluster, reader.cluster)
        return result
    }

    /// A cluster name for the test's copy of the page's lab: `skh-` and the page's name.
    static func clusterName(page: String) -> String {
        String("skh-\(page)".prefix(32)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
