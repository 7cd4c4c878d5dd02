import Testing
@testable import STUN

@Suite struct CodecSmokeTests {
    @Test func roundTripWithIntegrityAndFingerprint() throws {
        let key = Array("secret".utf8)
        let message = Message(method: .binding, class: .request, attributes: [
            .username("a:b"), .priority(0x6E00_01FF), .iceControlling(tieBreaker: 42), .useCandidate,
        ])
        let bytes = message.encode(integrity: .sha1(key: key), fingerprint: true)
        let parsed = try Message(parsing: bytes)
        #expect(parsed.attributes == message.attributes)
        #expect(parsed.hasFingerprint)
        #expect(parsed.verifyIntegrity(key: key))
        #expect(!parsed.verifyIntegrity(key: Array("wrong".utf8)))
    }
}
