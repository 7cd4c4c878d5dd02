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
        .library(name: "Capture", targets: ["Capture"]),
        .executable(name: "BenchSRTP", targets: ["BenchSRTP"]),
        .executable(name: "BenchSTUN", targets: ["BenchSTUN"]),
        .library(name: "Signalling", targets: ["Signalling"]),
        .library(name: "SignallingClient", targets: ["SignallingClient"]),
        .library(name: "Rendezvous", targets: ["Rendezvous"]),
        .library(name: "Sharing", targets: ["Sharing"]),
        .executable(name: "BenchRendezvous", targets: ["BenchRendezvous"]),
        .executable(name: "BenchMedia", targets: ["BenchMedia"]),
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
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CX11", pkgConfig: "x11", providers: [.apt(["libx11-dev", "libxext-dev", "libxfixes-dev", "libxdamage-dev"])]),

        // MARK: STUN
        .target(
            name: "STUN",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "STUNTests",
            dependencies: ["STUN", "TestSupport"]
        ),

        // MARK: ICE (SDP for the text form of candidates)
        .target(name: "ICE", dependencies: ["STUN", "SDP"]),
        .testTarget(
            name: "ICETests",
            dependencies: ["ICE", "STUN", "SDP"]
        ),
        .executableTarget(name: "BenchSTUN", dependencies: ["STUN", "ICE"]),

        // MARK: Test support: child processes speaking lines (aiortc, aioice, glimpse in namespaces), network
        // namespaces, an impairing relay, Xvfb, a seeded generator
        .target(
            name: "TestSupport",
            dependencies: [
                "UDP", "STUN",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
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
            dependencies: ["UDP", "ICE", "STUN", "SDP", "TestSupport", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["UDP", "ICE", "STUN", "SDP", "TestSupport"]
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
                "DTLS", "SRTP", "SDP", "UDP", "STUN", "TestSupport",
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
            dependencies: ["RTP", "TestSupport"]
        ),

        // MARK: VP8
        .target(name: "VP8", dependencies: ["RTP", "CVPX"]),
        .testTarget(
            name: "VP8Tests",
            dependencies: ["VP8", "RTP", "TestSupport"]
        ),

        // MARK: Capture (X11) and the media benchmark
        .target(name: "Capture", dependencies: ["CX11"]),
        .testTarget(
            name: "CaptureTests",
            dependencies: ["Capture", "CX11", "VP8", "RTP", "TestSupport"]
        ),
        .executableTarget(
            name: "BenchMedia",
            dependencies: ["Capture", "VP8", "RTP", "TestSupport"]
        ),

        // MARK: Peer connection
        .target(
            name: "PeerConnection",
            dependencies: [
                "DTLS", "SRTP", "SDP", "RTP", "VP8", "ICE", "UDP", "STUN",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PeerConnectionTests",
            dependencies: ["PeerConnection", "DTLS", "SRTP", "SDP", "RTP", "VP8", "ICE", "UDP", "STUN", "TestSupport"]
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
                "Rendezvous", "Signalling", "SignallingClient", "STUN", "UDP", "TestSupport",
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

        // MARK: Sharing sessions: signalling + one peer connection per viewer
        .target(
            name: "Sharing",
            dependencies: [
                "PeerConnection", "Signalling", "SignallingClient", "DTLS", "ICE", "SDP", "VP8", "STUN",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SharingTests",
            dependencies: ["Sharing", "PeerConnection", "Rendezvous", "Signalling", "DTLS", "ICE", "STUN", "VP8", "TestSupport"]
        ),

        // MARK: CLI
        .executableTarget(
            name: "glimpse",
            dependencies: [
                "STUN", "UDP", "ICE", "SDP", "CZlib", "CX11", "Rendezvous", "Capture", "VP8", "Sharing", "Signalling", "DTLS", "PeerConnection",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
