import StorageModel
import Testing

@Suite struct ByteSizeDescribeTests {
    @Test func aDescribedSizeParsesBackToAtLeastTheBytes() {
        #expect(ByteSize.describe(300 << 20) == "300M")
        #expect(ByteSize.describe(1 << 30) == "1G")
        #expect(ByteSize.describe(3 << 29) == "1536M")
        #expect(ByteSize.describe(4097) == "5K")
        #expect(ByteSize.describe(512) == "512")
        for bytes: UInt64 in [1, 1023, 1024, 4097, (1 << 20) + 1, 3 << 29, (5 << 40) + 7] {
            let parsed = ByteSize.parse(ByteSize.describe(bytes))
            #expect(parsed.map { $0 >= bytes } == true, "\(bytes) → \(ByteSize.describe(bytes))")
        }
    }
}
