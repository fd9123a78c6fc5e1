extension Array where Element: Sendable {
    /// `body` on every element, at most `limit` at once (all at once when nil), the results in
    /// the elements' order. `done` hears how many have ended, each time one does.
    public func concurrentMap<Output: Sendable>(
        limit: Int? = nil, done: (Int) -> Void = { _ in }, _ body: @escaping @Sendable (_ index: Int, Element) async -> Output
    ) async -> [Output] {
        await withTaskGroup(of: (Int, Output).self) { group in
            var next = startIndex
            func start() {
                guard next < endIndex else { return }
                let index = next, element = self[index]
                next += 1
                group.addTask { (index, await body(index, element)) }
            }
            for _ in 0..<Swift.min(Swift.max(1, limit ?? count), count) { start() }
            var results: [(Int, Output)] = []
            for await result in group {
                results.append(result)
                done(results.count)
                start()
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
