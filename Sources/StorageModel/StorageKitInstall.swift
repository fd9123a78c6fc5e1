/// Where storagekit lives on a cluster's hosts.
public enum StorageKitInstall {
    /// Where `deploy` puts it when the spec does not say (`storagekit.path`): in the PATH that
    /// sshd gives commands on Debian and RHEL, and outside what packages own.
    public static let defaultPath = "/usr/local/bin/storagekit"

    /// The program to run on `host`: the spec's `storagekit.path`; else, over ssh, `storagekit`
    /// from the host's PATH (a package's /usr/bin or deploy's /usr/local/bin); else (the lab,
    /// this machine) `local`, the running binary, which every lab host can see.
    public static func program(on host: Host, in spec: ClusterSpec, local: String?) -> String {
        if let path = spec.storagekitPath { return path }
        if host.transport == .ssh { return "storagekit" }
        return local ?? "storagekit"
    }

    /// Where `deploy` puts it on every host.
    public static func deployPath(in spec: ClusterSpec) -> String {
        spec.storagekitPath ?? defaultPath
    }
}
