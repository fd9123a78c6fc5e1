/// Collects every diagnostic (not only the first) with its line from the source map.
struct DiagnosticSink {
    var sourceMap: SourceMap
    private(set) var diagnostics: [Diagnostic] = []

    init(sourceMap: SourceMap) { self.sourceMap = sourceMap }

    mutating func error(_ path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(.error, path: path, line: sourceMap.line(of: path), message: message, fix: fix))
    }

    mutating func warning(_ path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(.warning, path: path, line: sourceMap.line(of: path), message: message, fix: fix))
    }

    mutating func exposure(_ path: String, _ message: String, fix: String) {
        diagnostics.append(Diagnostic(.warning, path: path, line: sourceMap.line(of: path), message: message, fix: fix, exposure: true))
    }
}
