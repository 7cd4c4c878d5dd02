import Testing
import TestSupport
@testable import STUN


extension Attribute {
    /// A random attribute of every kind the codec knows, with random but valid values.
    static func random(using rng: inout SeededGenerator) -> Attribute {
        func text(_ max: Int) -> String {
            String((0..<Int.random(in: 0...max, using: &rng)).map { _ in "abcdéf:ü1 /".randomElement(using: &rng)! })
        }
        func address() -> TransportAddress {
            let v4 = Bool.random(using: &rng)
            let bytes = (0..<(v4 ? 4 : 16)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return TransportAddress(ip: IPAddress(bytes: bytes)!, port: .random(in: 0 ... .max, using: &rng))
        }
        switch Int.random(in: 0..<13, using: &rng) {
        case 0: return .mappedAddress(address())
        case 1: return .xorMappedAddress(address())
        case 2: return .username(text(100))
        case 3: return .realm(text(40))
        case 4: return .nonce(text(40))
        case 5: return .errorCode(ErrorCode(code: .random(in: 300...699, using: &rng), reason: text(30)))
        case 6: return .unknownAttributes((0..<Int.random(in: 1...5, using: &rng)).map { _ in .random(in: 0 ... .max, using: &rng) })
        case 7: return .software(text(60))
        case 8: return .priority(.random(in: 0 ... .max, using: &rng))
        case 9: return .useCandidate
        case 10: return .iceControlled(tieBreaker: .random(in: 0 ... .max, using: &rng))
        case 11: return .iceControlling(tieBreaker: .random(in: 0 ... .max, using: &rng))
        default:
            // Comprehension-optional, so any value is kept verbatim.
            return .other(type: .random(in: 0xC000...0xFFFF, using: &rng),
                          value: (0..<Int.random(in: 0...37, using: &rng)).map { _ in .random(in: 0...255, using: &rng) })
        }
    }
}

@Suite struct CodecPropertyTests {
    static func randomMessage(_ rng: inout SeededGenerator) -> Message {
        let classes: [STUNClass] = [.request, .indication, .successResponse, .errorResponse]
        return Message(method: STUNMethod(rawValue: .random(in: 0...0xFFF, using: &rng)), class: classes.randomElement(using: &rng)!,
                       attributes: (0..<Int.random(in: 0...8, using: &rng)).map { _ in Attribute.random(using: &rng) })
    }

    @Test(arguments: 0..<8)
    func randomMessagesRoundTripUnderEveryIntegrityMode(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<250 {
            let message = Self.randomMessage(&rng)
            let key = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let modes: [MessageIntegrity?] = [nil, .sha1(key: key), .sha256(key: key), .both(key: key)]
            for mode in modes {
                let bytes = message.encode(integrity: mode, fingerprint: Bool.random(using: &rng))
                let parsed = try Message(parsing: bytes)
                #expect(parsed.method == message.method && parsed.messageClass == message.messageClass)
                #expect(parsed.transactionID == message.transactionID)
                #expect(parsed.attributes == message.attributes)
                #expect(bytes.count % 4 == 0)
                if mode != nil {
                    #expect(parsed.verifyIntegrity(key: key))
                    #expect(!parsed.verifyIntegrity(key: key.map { $0 ^ 1 }))
                }
            }
        }
    }

    /// Every prefix of a valid message is refused with a typed error: nothing traps.
    @Test func everyTruncationIsATypedError() throws {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<40 {
            let bytes = Self.randomMessage(&rng).encode(integrity: .sha1(key: [1]), fingerprint: true)
            for length in 0..<bytes.count {
                #expect(throws: STUNError.self) { try Message(parsing: bytes.prefix(length)) }
            }
        }
    }

    @Test func headerAndLengthLiesAreRefused() throws {
        let valid = Message(method: .binding, class: .request, attributes: [.username("a:b"), .priority(7)])
            .encode(integrity: .sha1(key: [1]), fingerprint: true)
        var badCookie = valid
        badCookie[4] ^= 0xFF
        #expect(throws: STUNError.notSTUN) { try Message(parsing: badCookie) }
        var firstBits = valid
        firstBits[0] |= 0x80
        #expect(throws: STUNError.notSTUN) { try Message(parsing: firstBits) }
        // A length field claiming more (or fewer, or not a multiple of 4) bytes than the datagram holds.
        for claimed in [valid.count - 20 + 4, valid.count - 20 - 4, 2, 0xFFFC] {
            var lying = valid
            lying[2] = UInt8(claimed >> 8)
            lying[3] = UInt8(claimed & 0xFF)
            #expect(throws: STUNError.badLength(claimed)) { try Message(parsing: lying) }
        }
        // Oversized: trailing bytes after the announced message.
        #expect(throws: STUNError.self) { try Message(parsing: valid + [0, 0, 0, 0]) }
        // An attribute whose length runs past the end of the message.
        var attribute = Array(valid[0..<20]) + [0x00, 0x06, 0x00, 0x40, 0x61, 0x62, 0x63, 0x64]
        attribute[3] = 8
        #expect(throws: STUNError.attributeTruncated(type: 0x0006)) { try Message(parsing: attribute) }
    }

    @Test func malformedKnownAttributesAreTyped() throws {
        func message(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
            let padded = value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
            var bytes: [UInt8] = [0x00, 0x01, UInt8((4 + padded.count) >> 8), UInt8((4 + padded.count) & 0xFF), 0x21, 0x12, 0xA4, 0x42]
            bytes += [UInt8](repeating: 9, count: 12)
            return bytes + [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + padded
        }
        let cases: [(UInt16, [UInt8])] = [
            (AttributeType.xorMappedAddress, [0, 3, 0, 1, 1, 2, 3, 4]),  // family 3
            (AttributeType.mappedAddress, [0, 1, 0, 1, 1, 2]),  // too short for IPv4
            (AttributeType.priority, [1, 2, 3]),
            (AttributeType.iceControlling, [1, 2, 3, 4]),
            (AttributeType.username, [0xFF, 0xFE]),  // not UTF-8
            (AttributeType.username, [UInt8](repeating: 0x61, count: 600)),  // over RFC 8489's 513 bytes
            (AttributeType.errorCode, [0, 0, 9, 99]),  // class 9
            (AttributeType.messageIntegrity, [UInt8](repeating: 0, count: 19)),
            (AttributeType.fingerprint, [0, 0, 0]),
        ]
        for (type, value) in cases {
            #expect(throws: STUNError.self, "attribute 0x\(String(type, radix: 16))") { try Message(parsing: message(type, value)) }
        }
        var tampered = Message(method: .binding, class: .request).encode(fingerprint: true)
        tampered[tampered.count - 1] ^= 1
        #expect(throws: STUNError.badFingerprint) { try Message(parsing: tampered) }
        let afterFingerprint = Message(method: .binding, class: .request).encode(fingerprint: true)
        var appended = afterFingerprint + [0x80, 0x22, 0x00, 0x00]
        appended[3] += 4
        #expect(throws: STUNError.self) { try Message(parsing: appended) }
    }
}
