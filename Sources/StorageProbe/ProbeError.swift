/// Errors of the probe layer, in words an admin understands; no C type crosses this boundary.
public enum ProbeError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case contextUnavailable(library: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "\(url) is not a usable URL: \(reason)"
        case .contextUnavailable(let library):
            return "\(library) could not create a context (out of memory?)"
        }
    }
}
