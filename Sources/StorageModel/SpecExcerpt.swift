import Yams

/// A spec's text with only some of its `hosts:` entries, everything else byte for byte: what
/// `check` sends a hypervisor, which needs the servers, itself and the peers it probes, not
/// the 200 other hypervisors (loading those on each host made every host's work grow with the
/// cluster).
public struct SpecExcerpt: Sendable {
    let lines: [Substring]
    /// Each `hosts:` entry's name and the lines it spans (0-based, end exclusive).
    let entries: [(name: String, lines: Range<Int>)]

    /// nil when the entries cannot be cut out line by line (a flow-style `hosts: [...]`, two
    /// entries on one line, no `hosts:`): the whole spec is sent then.
    public init?(yaml: String) {
        guard let root = try? Yams.compose(yaml: yaml, .basic), case .mapping(let mapping) = root else { return nil }
        let keys = mapping.map(\.key)
        guard let hosts = mapping.first(where: { $0.key.string == "hosts" }), let hostsLine = hosts.key.mark?.line,
            case .sequence(let sequence) = hosts.value, let start = hosts.value.mark else { return nil }
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        // A flow list (`hosts: [ … ]`) may span lines but cannot lose lines.
        guard start.line - 1 < lines.count, lines[start.line - 1].dropFirst(start.column - 1).first == "-" else { return nil }
        // The list ends where the next top-level key begins, or at the end of the text.
        let end = keys.compactMap(\.mark?.line).filter { $0 > hostsLine }.min().map { $0 - 1 } ?? lines.count
        var starts: [(name: String, line: Int)] = []
        for item in sequence {
            guard case .mapping(let entry) = item, let name = entry.first(where: { $0.key.string == "name" })?.value.string,
                let line = item.mark?.line else { return nil }
            starts.append((name, line - 1))
        }
        guard let first = starts.first, first.line >= hostsLine, zip(starts, starts.dropFirst()).allSatisfy({ $0.line < $1.line }),
            let last = starts.last, last.line < end else { return nil }
        // The last entry stops before the blank lines and top-level comments that lead to the
        // next key: they belong to what follows.
        var lastEnd = end
        while lastEnd > last.line + 1, lines[lastEnd - 1].isEmpty || lines[lastEnd - 1].hasPrefix("#") { lastEnd -= 1 }
        self.lines = lines
        entries = starts.enumerated().map { index, start in
            (start.name, start.line..<(index + 1 < starts.count ? starts[index + 1].line : lastEnd))
        }
    }

    /// The text without the entries of hosts not in `names`.
    public func keeping(_ names: Set<String>) -> String {
        var dropped = Set<Int>()
        for entry in entries where !names.contains(entry.name) { dropped.formUnion(entry.lines) }
        return lines.indices.filter { !dropped.contains($0) }.map { String(lines[$0]) }.joined(separator: "\n")
    }
}

extension ClusterSpec {
    /// The hosts a hypervisor's own facts depend on: every host that is not a hypervisor (the
    /// servers), itself, the peers whose migration ports it probes, its DRBD peers, and any
    /// host with an initiator name of its own (an ACL entry naming it may admit another host).
    public func hostsNeeded(by host: String, probing peers: [String]) -> Set<String> {
        var names = Set(hosts.filter { !$0.has(.hypervisor) || $0.initiatorName != nil }.map(\.name))
        names.insert(host)
        names.formUnion(peers)
        for resource in drbd?.resources ?? [] { names.formUnion(resource.hosts.map(\.name)) }
        return names
    }
}
