import Foundation
import SDP

/// Recorded SDPs in Fixtures/SDP (see its README for where each came from).
enum Fixture {
    /// The checkout this file is in: the first ancestor holding Package.swift.
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }()

    static let directory = repositoryRoot.appendingPathComponent("Fixtures/SDP")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".sdp") }.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func parsed(_ name: String) throws -> SessionDescription {
        try SessionDescription(parsing: text(name))
    }

    /// Our side of the tests' offers and answers: a sharer sending VP8 with rtx.
    static let sharer = LocalParameters(
        iceUfrag: "gLm5", icePwd: "q2VfN8cbWk3rT7xYpZs1Lh0d",
        fingerprint: Fingerprint(hashFunction: "sha-256", bytes: (0..<32).map { UInt8($0 * 7 & 0xFF) }),
        sessionID: 4_611_731_400_430_051_336,
        source: MediaSource(ssrc: 1111, retransmissionSSRC: 2222, cname: "glimpse", streamID: "glimpse", trackID: "screen"))

    /// A viewer: same transport parameters, nothing to send.
    static var viewer: LocalParameters {
        var local = sharer
        local.source = nil
        return local
    }
}
