import StorageModel
import StorageRender

/// `render`'s files of many hosts, each with the secrets its files need.
public enum ClusterRender {
    /// Every host's files, rendered side by side (pure work: one core per host), in `hosts` order.
    public static func render(_ spec: ClusterSpec, hosts: [String]) async -> [Result<[RenderedFile], RenderError>] {
        await withTaskGroup(of: (Int, Result<[RenderedFile], RenderError>).self) { group in
            for (index, name) in hosts.enumerated() {
                group.addTask {
                    let secrets = SecretFiles(fileSystem: LocalFileSystem()).read(HostRenderer.secretFiles(spec, host: name))
                    do throws(RenderError) {
                        return (index, .success(try HostRenderer.render(spec, host: name, secrets: secrets)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results = [Result<[RenderedFile], RenderError>?](repeating: nil, count: hosts.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}
