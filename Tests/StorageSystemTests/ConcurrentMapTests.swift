import StorageSystem
import Testing

@Suite struct ConcurrentMapTests {
    actor InFlight {
        private(set) var now = 0
        private(set) var most = 0
        func enter() { now += 1; most = max(most, now) }
        func leave() { now -= 1 }
    }

    @Test func atMostTheLimitRunAtOnceAndTheResultsKeepTheOrder() async {
        let meter = InFlight()
        var ended: [Int] = []
        let results = await Array(0..<20).concurrentMap(limit: 3, done: { ended.append($0) }) { index, element in
            await meter.enter()
            // Later elements end first: the order of the results must not follow the ends.
            try? await Task.sleep(for: .milliseconds(20 - element))
            await meter.leave()
            return "\(index):\(element * 2)"
        }
        #expect(results == (0..<20).map { "\($0):\($0 * 2)" })
        #expect(await meter.most <= 3)
        #expect(ended == Array(1...20))
    }

    @Test func withoutALimitAllRunAtOnce() async {
        let meter = InFlight()
        let gate = InFlight()
        _ = await Array(0..<8).concurrentMap { _, _ in
            await meter.enter()
            await gate.enter()
            // Held until every element has started (bounded): only possible when all run at once.
            for _ in 0..<1_000_000 where await gate.now < 8 { await Task.yield() }
            await meter.leave()
        }
        #expect(await meter.most == 8)
    }

    @Test func nothingInNothingOut() async {
        let results = await [Int]().concurrentMap(limit: 4) { _, element in element }
        #expect(results.isEmpty)
    }
}
