extension Transport {
    /// One command of a service operation (start, stop, set a timer…): a transport failure, or
    /// a non-zero exit unless `allowFailure`, becomes a service error naming `service`.
    @discardableResult
    func runForService(_ argv: [String], service: String, _ operation: String, allowFailure: Bool = false) async throws(SystemError) -> CommandResult {
        let result: CommandResult
        do {
            result = try await run(Command(argv[0], Array(argv.dropFirst()), timeout: .seconds(30)))
        } catch {
            throw SystemError.service(host: host, service: service, operation: operation, reason: error.description, cause: error.code)
        }
        if !allowFailure && !result.succeeded {
            throw SystemError.service(host: host, service: service, operation: operation, reason: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result
    }
}
