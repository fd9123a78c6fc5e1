import StorageModel

/// The distribution package that provides a shared library storagekit needs, to name it when a
/// host lacks it (deploy never installs packages itself).
public enum RuntimePackages {
    static let known: [String: (debian: String, rhel: String)] = [
        "libiscsi.so.7": ("libiscsi7", "libiscsi"),
        "libiscsi.so.9": ("libiscsi7", "libiscsi"),
        "libnfs.so.13": ("libnfs13", "libnfs"),
        "libnfs.so.14": ("libnfs14", "libnfs"),
        "libxml2.so.2": ("libxml2", "libxml2"),
        "libstdc++.so.6": ("libstdc++6", "libstdc++"),
        "libgcc_s.so.1": ("libgcc-s1", "libgcc"),
    ]

    /// The package for `soname` on `os`, or a description of it when storagekit does not know it.
    public static func package(for soname: String, on os: OSFamily) -> String {
        guard let names = known[soname] else { return "the package that provides \(soname)" }
        return os == .rhel ? names.rhel : names.debian
    }

    /// The command an admin runs on the host to install what is missing.
    public static func installCommand(_ sonames: [String], on os: OSFamily) -> String {
        let packages = sonames.map { package(for: $0, on: os) }
        guard packages.allSatisfy({ !$0.hasPrefix("the package") }) else { return "install the packages that provide \(sonames.joined(separator: ", "))" }
        return (os == .rhel ? "dnf install " : "apt-get install ") + packages.joined(separator: " ")
    }
}
