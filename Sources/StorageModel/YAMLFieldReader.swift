import Yams

/// Shared state of one load: the source map being built and the problems found so far.
final class LoadContext {
    var sourceMap = SourceMap()
    var diagnostics: [Diagnostic] = []

    func error(_ path: String, line: Int?, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(.error, path: path, line: line, message: message, fix: fix))
    }
}

/// Reads one YAML mapping into typed values, remembering each key's line and which keys were
/// asked for, so that anything left over is reported as an unknown key with a "did you mean".
final class MappingReader {
    let path: String
    let line: Int?
    private let context: LoadContext
    private var pairs: [(key: String, keyLine: Int?, value: Node)] = []
    private var known: [String] = []

    init?(_ node: Node, path: String, context: LoadContext) {
        self.path = path
        self.line = node.mark?.line
        self.context = context
        guard case .mapping(let mapping) = node else {
            context.error(path, line: node.mark?.line, "expected a mapping (key: value lines), found \(describe(node))")
            return nil
        }
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                context.error(path, line: keyNode.mark?.line, "keys must be plain words")
                continue
            }
            let keyPath = join(path, key.string)
            if !seen.insert(key.string).inserted {
                context.error(keyPath, line: keyNode.mark?.line, "key appears twice", fix: "keep one `\(key.string):` line")
                continue
            }
            context.sourceMap.record(keyPath, line: keyNode.mark?.line)
            pairs.append((key.string, keyNode.mark?.line, value))
        }
    }

    func child(_ key: String) -> String { join(path, key) }

    func lineOf(_ key: String) -> Int? { context.sourceMap.line(of: child(key)) }

    func contextError(_ path: String, line: Int?, _ message: String, fix: String? = nil) {
        context.error(path, line: line, message, fix: fix)
    }

    func has(_ key: String) -> Bool {
        known.append(key)
        return pairs.contains { $0.key == key }
    }

    private func value(_ key: String) -> (node: Node, line: Int?)? {
        known.append(key)
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        if case .scalar(let scalar) = pair.value, Self.isNull(scalar) { return nil }
        return (pair.value, pair.keyLine)
    }

    /// YAML's null (`key:`, `~`, `null`): plain scalars only, as YAML 1.1's resolver reads them.
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func string(_ key: String, required: Bool = false, hint: String? = nil) -> String? {
        guard let (node, line) = value(key) else {
            if required { context.error(child(key), line: self.line, "is required", fix: hint) }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            context.error(child(key), line: line, "expected a single value, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    func int(_ key: String, required: Bool = false) -> Int? {
        guard let text = string(key, required: required) else { return nil }
        guard let number = Int(text) else {
            context.error(child(key), line: context.sourceMap.line(of: child(key)), "\"\(text)\" is not a whole number")
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            context.error(child(key), line: context.sourceMap.line(of: child(key)), "\"\(text)\" is not true or false")
            return nil
        }
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = false) -> E?
    where E.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = E(rawValue: text) else {
            let choices = E.allCases.map(\.rawValue).joined(separator: " | ")
            context.error(child(key), line: context.sourceMap.line(of: child(key)), "\"\(text)\" is not one of: \(choices)",
                fix: suggestion(for: text, among: E.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"?" })
            return nil
        }
        return value
    }

    /// A list of scalars; a single scalar is accepted as a one-item list when `acceptScalar`.
    func stringList(_ key: String, acceptScalar: Bool = false) -> [String]? {
        guard let (node, line) = value(key) else { return nil }
        switch node {
        case .scalar(let scalar) where acceptScalar:
            return [scalar.string]
        case .sequence(let sequence):
            var items: [String] = []
            for (index, item) in sequence.enumerated() {
                let itemPath = "\(child(key))[\(index)]"
                context.sourceMap.record(itemPath, line: item.mark?.line)
                guard case .scalar(let scalar) = item else {
                    context.error(itemPath, line: item.mark?.line, "expected a single value, found \(describe(item))")
                    continue
                }
                items.append(scalar.string)
            }
            return items
        default:
            context.error(child(key), line: line, "expected a list like [a, b], found \(describe(node))")
            return nil
        }
    }

    func mapping(_ key: String) -> MappingReader? {
        guard let (node, _) = value(key) else { return nil }
        return MappingReader(node, path: child(key), context: context)
    }

    /// A list of mappings, e.g. `hosts:`; each item gets the path `key[i]`.
    func mappings(_ key: String) -> [MappingReader]? {
        guard let (node, line) = value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            context.error(child(key), line: line, "expected a list of entries starting with \"- \", found \(describe(node))")
            return nil
        }
        return sequence.enumerated().compactMap { index, item in
            let itemPath = "\(child(key))[\(index)]"
            context.sourceMap.record(itemPath, line: item.mark?.line)
            return MappingReader(item, path: itemPath, context: context)
        }
    }

    /// Reports every key that no reader asked for, with the closest known key.
    func finish() {
        for pair in pairs where !known.contains(pair.key) {
            let fix = suggestion(for: pair.key, among: known).map { "did you mean \"\($0)\"?" }
                ?? "known keys here: \(known.joined(separator: ", "))"
            context.error(child(pair.key), line: pair.keyLine, "unknown key \"\(pair.key)\"", fix: fix)
        }
    }
}

private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

private func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return "\"\(scalar.string)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias (YAML anchors are not supported)"
    }
}

extension MappingReader {
    func reportMissing(_ key: String, fix: String? = nil) {
        contextError(child(key), line: line, "is required", fix: fix)
    }

    func reportInvalid(_ key: String, _ message: String, fix: String? = nil) {
        contextError(child(key), line: lineOf(key), message, fix: fix)
    }

    func reportBoth(_ one: String, _ other: String) {
        contextError(child(one), line: lineOf(one), "give either `\(one)` or `\(other)`, not both",
            fix: "move the address into the `\(other)` list")
    }
}
