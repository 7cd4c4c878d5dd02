// swift-tools-version:6.0
import PackageDescription

// One module per protocol (see ../shared/DESIGN.md). System C libraries come in through
// pkg-config system-library targets; each Swift module wraps its C library in one place.

let package = Package(
    name: "Glimpse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "glimpse", targets: ["glimpse"]),
        .library(name: "STUN", targets: ["STUN"]),
        .library(name: "ICE", targets: ["ICE"]),
        .library(name: "UDP", targets: ["UDP"]),
        .library(name: "SDP", targets: ["SDP"]),
        .library(name: "DTLS", targets: ["DTLS"]),
        .library(name: "SRTP", targets: ["SRTP"]),
        .library(name: "PeerConnection", targets: ["PeerConnection"]),
        .library(name: "RTP", targets: ["RTP"]),
        .library(name: "VP8", targets: ["VP8"]),
        .executable(name: "BenchSRTP", targets: ["BenchSRTP"]),
        .library(name: "Signalling", targets: ["Signalling"]),
        .library(name: "SignallingClient", targets: ["SignallingClient"]),
        .library(name: "Rendezvous", targets: ["Rendezvous"]),
        .executable(name: "BenchRendezvous", targets: ["BenchRendezvous"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.0.0"),
    ],
    targets: [
        // MARK: System libraries (pkg-config)
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "CVPX", pkgConfig: "vpx", providers: [.apt(["libvpx-dev"])]),
        .systemLibrary(name: "CX11", pkgConfig: "x11", providers: [.apt(["libx11-dev", "libxext-dev", "libxfixes-dev", "libxdamage-dev"])]),

        // MARK: STUN
        .target(
            name: "STUN",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "STUNTests",
            dependencies: ["STUN"]
        ),

        // MARK: ICE (SDP for the text form of candidates)
        .target(name: "ICE", dependencies: ["STUN", "SDP"]),
        .testTarget(
            name: "ICETests",
            dependencies: ["ICE", "STUN", "SDP"]
        ),

        // MARK: Test support: child processes speaking lines (aiortc, aioice, glimpse in namespaces)
        .target(
            name: "ProcessSupport",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Tests/Support"
        ),

        // MARK: UDP edge
        .target(
            name: "UDP",
            dependencies: [
                "STUN", "ICE",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "UDPTests",
            dependencies: ["UDP", "ICE", "STUN", "SDP", "ProcessSupport", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["UDP", "ICE", "STUN", "SDP", "ProcessSupport"]
        ),

        // MARK: SDP
        .target(name: "SDP"),
        .testTarget(
            name: "SDPTests",
            dependencies: ["SDP"]
        ),
        .executableTarget(name: "BenchSDP", dependencies: ["SDP"]),

        // MARK: C shims (OpenSSL macros Swift cannot import)
        .target(name: "CShims", dependencies: ["COpenSSL"]),

        // MARK: DTLS
        .target(
            name: "DTLS",
            dependencies: ["COpenSSL", "CShims", "SDP", "SRTP", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "DTLSTests",
            dependencies: [
                "DTLS", "SRTP", "SDP", "UDP", "STUN", "ProcessSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // MARK: SRTP
        .target(
            name: "SRTP",
            dependencies: ["CSRTP"]
        ),
        .testTarget(
            name: "SRTPTests",
            dependencies: ["SRTP", "COpenSSL"]
        ),
        .executableTarget(
            name: "BenchSRTP",
            dependencies: ["SRTP", "CSRTP"]
        ),

        // MARK: RTP
        .target(name: "RTP"),
        .testTarget(
            name: "RTPTests",
            dependencies: ["RTP"]
        ),

        // MARK: VP8
        .target(name: "VP8", dependencies: ["RTP"]),
        .testTarget(
            name: "VP8Tests",
            dependencies: ["VP8", "RTP"]
        ),

        // MARK: Peer connection
        .target(
            name: "PeerConnection",
            dependencies: ["DTLS", "SRTP", "SDP"]
        ),
        .testTarget(
            name: "PeerConnectionTests",
            dependencies: ["PeerConnection", "DTLS", "SRTP", "SDP"]
        ),

        // MARK: Signalling (messages only Foundation; the client over hummingbird-websocket's client)
        .target(name: "Signalling"),
        .target(
            name: "SignallingClient",
            dependencies: [
                "Signalling",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SignallingTests",
            dependencies: [
                "Signalling", "SignallingClient", "Rendezvous",
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // MARK: Rendezvous server
        .target(
            name: "Rendezvous",
            dependencies: [
                "Signalling", "STUN", "UDP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RendezvousTests",
            dependencies: [
                "Rendezvous", "Signalling", "SignallingClient", "STUN", "UDP", "ProcessSupport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "BenchRendezvous",
            dependencies: ["Rendezvous", "Signalling", "SignallingClient", .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: CLI
        .executableTarget(
            name: "glimpse",
            dependencies: [
                "STUN", "UDP", "ICE", "SDP", "Rendezvous",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
