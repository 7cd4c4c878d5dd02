import Foundation
import Testing
@testable import STUN

/// The test vectors of RFC 5769, read from Fixtures/STUN (see its README).
@Suite struct RFC5769Tests {
    static let fixtures: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url.appendingPathComponent("Fixtures/STUN")
    }()

    static func vector(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name + ".hex"), encoding: .utf8)
        return try text.split(whereSeparator: \.isWhitespace).map { try #require(UInt8($0, radix: 16)) }
    }

    static let shortTermPassword = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    static let transactionID = TransactionID(bytes: [0xB7, 0xE7, 0xA7, 0x01, 0xBC, 0x34, 0xD6, 0x86, 0xFA, 0x87, 0xDF, 0xAE])!

    /// §2.1: a Binding request as an ICE agent sends it.
    @Test func sampleRequest() throws {
        let message = try Message(parsing: Self.vector("sample-request"))
        #expect(message.method == .binding && message.messageClass == .request)
        #expect(message.transactionID == Self.transactionID)
        #expect(message.software == "STUN test client")
        #expect(message.priority == 0x6E00_01FF)
        #expect(message.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(message.username == "evtj:h6vY")
        #expect(message.hasFingerprint)
        #expect(message.verifyIntegrity(key: Self.shortTermPassword))
        #expect(!message.verifyIntegrity(key: Array("VOkJxbRl1RmTxUk/WvJxBu".utf8)))
    }

    @Test(arguments: [
        ("sample-ipv4-response", "192.0.2.1"),
        ("sample-ipv6-response", "2001:db8:1234:5678:11:2233:4455:6677"),
    ])
    func sampleResponses(name: String, address: String) throws {
        let bytes = try Self.vector(name)
        let message = try Message(parsing: bytes)
        #expect(message.method == .binding && message.messageClass == .successResponse)
        #expect(message.software == "test vector")
        let expected = try #require(TransportAddress(address, port: 32853))
        #expect(message.xorMappedAddress == expected)
        #expect(message.hasFingerprint)
        #expect(message.verifyIntegrity(key: Self.shortTermPassword))
        // Our XOR-MAPPED-ADDRESS encoding gives the RFC's bytes (the value starts after SOFTWARE).
        let encoded = Message(method: .binding, class: .successResponse, transactionID: Self.transactionID,
                              attributes: [.xorMappedAddress(expected)]).encode()
        let valueLength = expected.ip.isIPv4 ? 8 : 20
        #expect(Array(encoded[20..<24 + valueLength]) == Array(bytes[36..<40 + valueLength]))
    }

    /// §2.4: long-term credentials; the key is MD5 of the SASLprep'd password, and since this vector
    /// pads with zeros our encoder reproduces it byte for byte.
    @Test func sampleLongTermRequest() throws {
        let bytes = try Self.vector("sample-long-term-request")
        let message = try Message(parsing: bytes)
        #expect(message.username == "マトリックス")
        #expect(message.nonce == "f//499k954d6OL34oL9FSTvy64sA")
        #expect(message.realm == "example.org")
        #expect(!message.hasFingerprint)
        let key = Message.longTermKey(username: "マトリックス", realm: "example.org", password: "TheMatrIX")
        #expect(message.verifyIntegrity(key: key))
        #expect(!message.verifyIntegrity(key: Message.longTermKey(username: "マトリックス", realm: "example.org", password: "thematrix")))
        let rebuilt = Message(method: .binding, class: .request, transactionID: message.transactionID, attributes: message.attributes)
        #expect(rebuilt.encode(integrity: .sha1(key: key)) == bytes)
    }

    /// FINGERPRINT covers every byte before it, so a single-bit flip is refused by the parser, unless it
    /// hits FINGERPRINT's own type, which turns it into an ignored attribute after MESSAGE-INTEGRITY: then
    /// the message has no FINGERPRINT (ICE drops such checks) but is otherwise the authentic original.
    @Test(arguments: ["sample-request", "sample-ipv4-response", "sample-ipv6-response"])
    func everyBitFlipIsRefusedOrLosesTheFingerprint(name: String) throws {
        let bytes = try Self.vector(name)
        let original = try Message(parsing: bytes)
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= 1 << bit
                guard let message = try? Message(parsing: flipped) else { continue }
                #expect(!message.hasFingerprint && message.attributes == original.attributes,
                        "flip of bit \(bit) at byte \(index) went unnoticed")
            }
        }
    }
}
