import StorageModel

/// What `check` says of the spec itself: valid (with how many warnings), and each warning that
/// exposes storage beyond the cluster again as a finding of its own.
public enum SpecRules {
    public static func findings(_ diagnostics: [Diagnostic], specFile: String) -> [Finding] {
        let warnings = diagnostics.warnings.count
        let valid = warnings == 0 ? "\(specFile) is valid" : "\(specFile) is valid, with \(warnings) warning(s): storagekit validate --spec \(specFile)"
        return [Finding(.specValid, hosts: [], .pass, valid)]
            + diagnostics.warnings.filter(\.exposure).map { warning in
                Finding(.specExposure, hosts: [], .warn, warning.path.isEmpty ? warning.message : "\(warning.path): \(warning.message)", fix: warning.fix)
            }
    }
}
