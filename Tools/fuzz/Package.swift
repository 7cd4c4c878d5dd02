// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, one executable per parser. Kept apart from the main package because they only
// link with -sanitize=fuzzer. Each target's main hands its callback to LLVMFuzzerRunDriver.
// Run them with Tools/fuzz/run (bounded time, seed corpora from Fixtures/fuzz/<Target>).

let package = Package(
    name: "GlimpseFuzz",
    dependencies: [.package(name: "Glimpse", path: "../..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzSTUN", dependencies: [
            "FuzzDriver", .product(name: "STUN", package: "Glimpse"), .product(name: "ICE", package: "Glimpse"),
        ]),
        .executableTarget(name: "FuzzSignalling", dependencies: ["FuzzDriver", .product(name: "Signalling", package: "Glimpse")]),
        .executableTarget(name: "FuzzSDP", dependencies: ["FuzzDriver", .product(name: "SDP", package: "Glimpse")]),
        .executableTarget(name: "FuzzDTLS", dependencies: ["FuzzDriver", .product(name: "DTLS", package: "Glimpse")]),
        .executableTarget(name: "FuzzSRTP", dependencies: ["FuzzDriver", .product(name: "SRTP", package: "Glimpse")]),
        .executableTarget(name: "FuzzRTP", dependencies: ["FuzzDriver", .product(name: "RTP", package: "Glimpse")]),
        .executableTarget(name: "FuzzRTCP", dependencies: ["FuzzDriver", .product(name: "RTP", package: "Glimpse")]),
        .executableTarget(name: "FuzzVP8Descriptor", dependencies: ["FuzzDriver", .product(name: "VP8", package: "Glimpse")]),
        .executableTarget(name: "FuzzVP8Assembler", dependencies: [
            "FuzzDriver", .product(name: "RTP", package: "Glimpse"), .product(name: "VP8", package: "Glimpse"),
        ]),
    ]
)
