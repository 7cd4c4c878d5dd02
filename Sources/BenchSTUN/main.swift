import ICE
import STUN

// Encodes and decodes an ICE connectivity check as it goes on the wire (USERNAME, PRIORITY,
// ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY and FINGERPRINT), verifying its integrity, in a
// loop; then the same through an ICE agent answering it. Prints `name value unit` lines.
let key = Array("an-ice-password-of-24-ch".utf8)
let check = Message(method: .binding, class: .request, attributes: [
    .username("remo:loca"), .priority(1_845_501_695), .iceControlling(tieBreaker: 0x1234_5678_9ABC_DEF0), .useCandidate,
])

func rate(_ name: String, iterations: Int, _ body: () throws -> Int) rethrows {
    var sink = 0
    let elapsed = try ContinuousClock().measure { for _ in 0..<iterations { sink &+= try body() } }
    precondition(sink > 0, "the measured work produced nothing")
    print("\(name) \(Int(Double(iterations) / (elapsed / .seconds(1)))) msg/s")
}

try rate("stun_encode_decode", iterations: 200_000) {
    let bytes = check.encode(integrity: .sha1(key: key), fingerprint: true)
    let parsed = try Message(parsing: bytes)
    return parsed.verifyIntegrity(key: key) ? parsed.attributes.count : 0
}

let local = TransportAddress("192.0.2.1", port: 5000)!, peer = TransportAddress("192.0.2.2", port: 4000)!
var agent = ICEAgent(role: .controlled, credentials: ICECredentials(ufrag: "loca", pwd: String(decoding: key, as: UTF8.self)))
agent.gather(bases: [local], at: .now)
while agent.poll() != nil {}
let wire = check.encode(integrity: .sha1(key: key), fingerprint: true)
rate("ice_answer_check", iterations: 100_000) {
    agent.handle(datagram: wire, from: peer, to: local, at: .now)
    var answered = 0
    while let output = agent.poll() { if case .transmit = output { answered += 1 } }
    return answered
}
