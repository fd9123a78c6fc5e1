// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "storagekit",
    // Linux only (namespaces, /proc, libiscsi, tgt): no `platforms:` to pretend otherwise.
    products: [
        .executable(name: "storagekit", targets: ["storagekit"]),
        .library(name: "StorageModel", targets: ["StorageModel"]),
        .library(name: "StorageRender", targets: ["StorageRender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries, behind shim headers only.
        .systemLibrary(
            name: "CLibISCSI", pkgConfig: "libiscsi",
            providers: [.apt(["libiscsi-dev"])]),
        .systemLibrary(
            name: "CLibNFS", pkgConfig: "libnfs",
            providers: [.apt(["libnfs-dev"])]),

        // Pure: the spec, its loading and validation.
        .target(
            name: "StorageModel",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // Pure: view models and templates/ rendered with Mustache, embedded in the binary.
        .target(
            name: "StorageRender",
            dependencies: ["StorageModel", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.embedInCode("templates")],
            swiftSettings: swiftSettings),
        // Pure: what hosts report (every fact type, the host-to-host request and answer formats)
        // and every parser of tool output that produces them.
        .target(name: "StorageFacts", dependencies: ["StorageModel"], swiftSettings: swiftSettings),
        // Pure: readiness rules, facts in, findings out.
        .target(name: "StorageCheck", dependencies: ["StorageModel", "StorageFacts"], swiftSettings: swiftSettings),
        // Side effects: commands, files under a root, tool-output parsers.
        .target(
            name: "StorageSystem",
            dependencies: [
                "StorageModel", "StorageRender", "StorageFacts", "StorageCheck",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Protocol-level probes over libiscsi/libnfs; no C type leaks out.
        .target(
            name: "StorageProbe",
            dependencies: ["CLibISCSI", "CLibNFS", "StorageFacts"],
            swiftSettings: swiftSettings),
        // Side effects: one host's facts (probes, tools, /proc) and the cluster-wide gathering.
        .target(
            name: "StorageGathering", dependencies: ["StorageCheck", "StorageFacts", "StorageModel", "StorageProbe", "StorageRender", "StorageSystem"],
            swiftSettings: swiftSettings),
        .target(
            name: "StorageCommands",
            dependencies: [
                "StorageModel", "StorageRender", "StorageSystem", "StorageProbe", "StorageCheck", "StorageFacts", "StorageGathering",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "storagekit", dependencies: ["StorageCommands"], swiftSettings: swiftSettings),
        // Measurements against the real alternatives (bench/), never run as tests.
        .target(name: "BenchSupport", swiftSettings: swiftSettings),
        .executableTarget(name: "StorageBench", dependencies: ["BenchSupport", "StorageProbe", "StorageSystem", "StorageFacts"], swiftSettings: swiftSettings),

        // Fuzzing (scripts/fuzz): every parser of untrusted text as a target, and one binary
        // that is libFuzzer's entry when built with -sanitize=fuzzer -DFUZZING, a replayer otherwise.
        .target(
            name: "StorageFuzzTargets", dependencies: ["StorageModel", "StorageRender", "StorageSystem", "StorageFacts", "StorageGathering"],
            swiftSettings: swiftSettings),
        .executableTarget(name: "StorageFuzz", dependencies: ["StorageFuzzTargets"], swiftSettings: swiftSettings),

        .target(name: "StorageTestSupport", dependencies: ["StorageModel", "StorageFacts", "StorageSystem"], path: "Tests/StorageTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "StorageModelTests", dependencies: ["StorageModel", "StorageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageRenderTests", dependencies: ["StorageRender", "StorageModel", "StorageSystem", "StorageTestSupport"],
            exclude: ["Golden", "Specs"],
            swiftSettings: swiftSettings),
        .testTarget(name: "StorageFactsTests", dependencies: ["StorageFacts", "StorageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "StorageSystemTests", dependencies: ["StorageSystem", "StorageFacts", "StorageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "StorageFuzzTests", dependencies: ["StorageFuzzTargets"], swiftSettings: swiftSettings),
        .testTarget(name: "BenchSupportTests", dependencies: ["BenchSupport", "StorageModel", "StorageRender"], swiftSettings: swiftSettings),
        .testTarget(name: "StorageProbeTests", dependencies: ["StorageProbe", "StorageFacts"], swiftSettings: swiftSettings),
        .testTarget(name: "StorageCheckTests", dependencies: ["StorageCheck", "StorageModel", "StorageFacts", "StorageGathering", "StorageSystem", "StorageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["StorageModel", "StorageRender", "StorageSystem", "StorageCommands", "StorageCheck", "StorageFacts", "StorageGathering", "StorageTestSupport", "BenchSupport"],
            swiftSettings: swiftSettings),
    ]
)
