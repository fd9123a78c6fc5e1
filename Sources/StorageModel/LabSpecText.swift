/// The spec's own text with `transport: lab` as the cluster-wide default, for `lab up
/// --write-spec`: comments and layout kept, one top-level line set.
public enum LabSpecText {
    public static func withLabTransport(_ yaml: String) -> String {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix("transport:") }) {
            lines[index] = "transport: lab"
        } else if let index = lines.firstIndex(where: { $0.hasPrefix("cluster:") }) {
            lines.insert("transport: lab", at: index + 1)
        } else {
            lines.insert("transport: lab", at: 0)
        }
        return lines.joined(separator: "\n")
    }
}
