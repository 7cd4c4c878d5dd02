import Foundation
import SDP

// Parses, serializes and answers Chromium's recorded viewer offer (34 codecs, the largest fixture
// shape) in a loop. Prints `name value unit` lines.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let text = try String(contentsOf: root.appendingPathComponent("Fixtures/SDP/chromium-viewer-offer.sdp"), encoding: .utf8)
let local = LocalParameters(
    iceUfrag: "gLm5", icePwd: "q2VfN8cbWk3rT7xYpZs1Lh0d", fingerprint: Fingerprint(hashFunction: "sha-256", bytes: Array(repeating: 7, count: 32)),
    sessionID: 1, source: MediaSource(ssrc: 1111, retransmissionSSRC: 2222, cname: "glimpse", streamID: "glimpse", trackID: "screen"))

func measure(_ name: String, iterations: Int, _ body: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    let elapsed = try clock.measure { for _ in 0..<iterations { try body() } }
    let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    print("\(name) \(String(format: "%.2f", micros / Double(iterations))) us")
}

let offer = try SessionDescription(parsing: text)
var sink = 0
try measure("sdp_parse_chromium_offer", iterations: 2000) { sink &+= try SessionDescription(parsing: text).media.count }
measure("sdp_serialize_chromium_offer", iterations: 2000) { sink &+= offer.serialized.utf8.count }
try measure("sdp_answer_chromium_offer", iterations: 2000) {
    sink &+= try SessionDescription.answer(to: offer, local: local, wanting: .sendonly).media.count
}
print("sdp_offer_bytes \(text.utf8.count) bytes")
precondition(sink > 0, "the measured work produced nothing")
