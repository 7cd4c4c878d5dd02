import RTP
import Testing

@Suite struct RTPPacketTests {
    /// RFC 3550 §5.1 fixed header, written out field by field.
    static let plain: [UInt8] = [
        0b10_0_0_0000,  // V=2 P=0 X=0 CC=0
        0b1_1100000,  // M=1 PT=96
        0x12, 0x34,  // sequence number
        0xDE, 0xAD, 0xBE, 0xEF,  // timestamp
        0x01, 0x02, 0x03, 0x04,  // SSRC
        0xAA, 0xBB, 0xCC,  // payload
    ]

    @Test func fixedHeader() throws {
        let packet = try RTPPacket(parsing: Self.plain)
        #expect(packet.marker)
        #expect(packet.payloadType == 96)
        #expect(packet.sequenceNumber == 0x1234)
        #expect(packet.timestamp == 0xDEAD_BEEF)
        #expect(packet.ssrc == 0x0102_0304)
        #expect(packet.csrcs.isEmpty && packet.headerExtensions.isEmpty && packet.opaqueExtension == nil)
        #expect(packet.payload == [0xAA, 0xBB, 0xCC])
        #expect(packet.paddingLength == 0)
        #expect(packet.bytes == Self.plain)
    }

    @Test func csrcsAndPadding() throws {
        let bytes: [UInt8] = [
            0b10_1_0_0010,  // V=2 P=1 X=0 CC=2
            0x6F,  // M=0 PT=111
            0xFF, 0xFF, 0, 0, 0x03, 0xE8, 0, 0, 0, 0x2A,
            0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,  // CSRCs
            0x01, 0x02,  // payload
            0, 0, 3,  // 3 bytes of padding, count last
        ]
        let packet = try RTPPacket(parsing: bytes)
        #expect(!packet.marker && packet.payloadType == 111 && packet.sequenceNumber == 0xFFFF)
        #expect(packet.timestamp == 1000 && packet.ssrc == 42)
        #expect(packet.csrcs == [0x1111_1111, 0x2222_2222])
        #expect(packet.payload == [1, 2])
        #expect(packet.paddingLength == 3)
        #expect(packet.bytes == bytes)
    }

    /// RFC 8285 §4.2's one-byte header example: an element of 1 byte, one of 2 bytes, two padding
    /// bytes, then one of 4 bytes, in a 3-word block. The figure leaves the ids open; here 1, 2 and 3.
    static let oneByteExample: [UInt8] = [
        0x90, 0x60, 0x00, 0x01, 0, 0, 0, 0x10, 0xCA, 0xFE, 0xBA, 0xBE,  // X=1
        0xBE, 0xDE, 0x00, 0x03,  // profile 0xBEDE, length=3
        0x1_0, 0xA1,  // ID=1 L=0, data
        0x2_1, 0xB1, 0xB2,  // ID=2 L=1, data
        0x00, 0x00,  // padding
        0x3_3, 0xC1, 0xC2, 0xC3, 0xC4,  // ID=3 L=3, data
        0x55,  // payload
    ]

    @Test func rfc8285OneByteExample() throws {
        let packet = try RTPPacket(parsing: Self.oneByteExample)
        #expect(packet.headerExtensions == [
            HeaderExtension(id: 1, value: [0xA1]),
            HeaderExtension(id: 2, value: [0xB1, 0xB2]),
            HeaderExtension(id: 3, value: [0xC1, 0xC2, 0xC3, 0xC4]),
        ])
        #expect(packet.payload == [0x55])
        // Re-encoding packs the elements without the inner padding and pads the block's end instead.
        let encoded = packet.bytes
        #expect(Array(encoded[12..<28]) == [0xBE, 0xDE, 0x00, 0x03, 0x10, 0xA1, 0x21, 0xB1, 0xB2, 0x33, 0xC1, 0xC2, 0xC3, 0xC4, 0, 0])
        #expect(try RTPPacket(parsing: encoded) == packet)
    }

    /// RFC 8285 §4.3's two-byte header example: an element of length 0, one of 1 byte, a padding byte,
    /// then one of 4 bytes, in a 3-word block (ids 1, 2, 3 here).
    static let twoByteExample: [UInt8] = [
        0x90, 0x60, 0x00, 0x01, 0, 0, 0, 0x10, 0xCA, 0xFE, 0xBA, 0xBE,
        0x10, 0x00, 0x00, 0x03,  // profile 0x100 + appbits 0, length=3
        0x01, 0x00,  // ID=1 L=0
        0x02, 0x01, 0xD1,  // ID=2 L=1, data
        0x00,  // padding
        0x03, 0x04, 0xE1, 0xE2, 0xE3, 0xE4,  // ID=3 L=4, data
        0x66,
    ]

    @Test func rfc8285TwoByteExample() throws {
        let packet = try RTPPacket(parsing: Self.twoByteExample)
        #expect(packet.headerExtensions == [
            HeaderExtension(id: 1, value: []),
            HeaderExtension(id: 2, value: [0xD1]),
            HeaderExtension(id: 3, value: [0xE1, 0xE2, 0xE3, 0xE4]),
        ])
        #expect(packet.payload == [0x66])
        // The empty value does not fit the one-byte form, so the two-byte form is kept.
        let encoded = packet.bytes
        #expect(Array(encoded[12..<16]) == [0x10, 0x00, 0x00, 0x03])
        #expect(try RTPPacket(parsing: encoded) == packet)
    }

    @Test func oneByteIdFifteenEndsTheBlock() throws {
        var bytes = Array(Self.oneByteExample[0..<16])
        bytes += [0x10, 0xA1, 0xF3, 0xFF, 0x20, 0xB1, 0, 0, 0, 0, 0, 0]  // ID=15 stops before ID=2
        let packet = try RTPPacket(parsing: bytes + [0x55])
        #expect(packet.headerExtensions == [HeaderExtension(id: 1, value: [0xA1])])
        #expect(packet.payload == [0x55])
    }

    @Test func formChosenBySize() throws {
        var packet = RTPPacket(payloadType: 100, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: [9])
        packet.headerExtensions = [HeaderExtension(id: 14, value: Array(repeating: 7, count: 16))]
        #expect(Array(packet.bytes[12..<14]) == [0xBE, 0xDE])
        packet.headerExtensions = [HeaderExtension(id: 15, value: [1])]
        #expect(Array(packet.bytes[12..<14]) == [0x10, 0x00])
        packet.headerExtensions = [HeaderExtension(id: 1, value: Array(repeating: 7, count: 17))]
        #expect(Array(packet.bytes[12..<14]) == [0x10, 0x00])
        #expect(try RTPPacket(parsing: packet.bytes) == packet)
    }

    @Test func opaqueExtensionKept() throws {
        let packet = RTPPacket(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0,
                               opaqueExtension: OpaqueHeaderExtension(profile: 0xABAC, data: [1, 2, 3, 4, 5, 6, 7, 8]), payload: [])
        let bytes = packet.bytes
        #expect(Array(bytes[12..<16]) == [0xAB, 0xAC, 0x00, 0x02])
        #expect(try RTPPacket(parsing: bytes) == packet)
    }

    @Test func fullRoundTrip() throws {
        let packet = RTPPacket(
            marker: true, payloadType: 127, sequenceNumber: 65535, timestamp: .max, ssrc: 0xFFFF_FFFF,
            csrcs: Array(1...15), headerExtensions: [.absoluteSendTime(id: 3, AbsoluteSendTime(rawValue: 0xABCDEF)),
                                                    .transportSequenceNumber(id: 5, TransportSequenceNumber(0xBEEF))],
            payload: Array(0..<200), paddingLength: 255)
        let parsed = try RTPPacket(parsing: packet.bytes)
        #expect(parsed == packet)
        #expect(try AbsoluteSendTime(parsing: parsed.headerExtension(id: 3)!.value).rawValue == 0xABCDEF)
        #expect(try TransportSequenceNumber(parsing: parsed.headerExtension(id: 5)!.value).rawValue == 0xBEEF)
    }

    @Test func setHeaderExtensionReplaces() {
        var packet = RTPPacket(payloadType: 1, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: [])
        packet.setHeaderExtension(.transportSequenceNumber(id: 2, TransportSequenceNumber(1)))
        packet.setHeaderExtension(.transportSequenceNumber(id: 2, TransportSequenceNumber(2)))
        #expect(packet.headerExtensions == [HeaderExtension(id: 2, value: [0, 2])])
    }

    @Test func absoluteSendTimeIsSixEighteenFixedPoint() throws {
        // 65.5 s after the NTP epoch: the 6-bit seconds field wraps at 64, leaving 1.5 s = 1.5 · 2^18.
        let time = AbsoluteSendTime(NTPTimestamp(seconds: 65, fraction: 0x8000_0000))
        #expect(time.rawValue == 0x06_0000)
        #expect(time.bytes == [0x06, 0x00, 0x00])
        #expect(time.timeModulo64Seconds == .milliseconds(1500))
        #expect(throws: RTPError.badExtensionValue(id: 4, reason: "abs-send-time is 3 bytes, not 2")) {
            try AbsoluteSendTime(parsing: [1, 2], id: 4)
        }
        #expect(throws: RTPError.self) { try TransportSequenceNumber(parsing: [1, 2, 3]) }
    }

    // MARK: Malformed input

    @Test func truncatedAndMalformed() {
        #expect(throws: RTPError.truncatedHeader(available: 11)) { try RTPPacket(parsing: Self.plain.prefix(11)) }
        #expect(throws: RTPError.truncatedHeader(available: 0)) { try RTPPacket(parsing: []) }
        var badVersion = Self.plain
        badVersion[0] = 0x40
        #expect(throws: RTPError.badVersion(1)) { try RTPPacket(parsing: badVersion) }

        var csrc = Array(Self.plain.prefix(12)) + [0, 0, 0, 1]
        csrc[0] = 0x82  // CC=2 but one CSRC present
        #expect(throws: RTPError.truncatedCSRC(count: 2, available: 1)) { try RTPPacket(parsing: csrc) }

        // Extension header cut short, block longer than the packet, element longer than the block.
        #expect(throws: RTPError.truncatedExtension(needed: 4, available: 2)) {
            try RTPPacket(parsing: Self.oneByteExample.prefix(14))
        }
        #expect(throws: RTPError.truncatedExtension(needed: 12, available: 8)) {
            try RTPPacket(parsing: Self.oneByteExample.prefix(24))
        }
        var overrun = Array(Self.oneByteExample.prefix(16)) + [0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        overrun[15] = 0x03
        #expect(throws: RTPError.truncatedExtension(needed: 16, available: 11)) { try RTPPacket(parsing: overrun) }
        var twoByteOverrun = Array(Self.twoByteExample.prefix(16)) + [0x01, 0x20] + [UInt8](repeating: 0, count: 10)
        twoByteOverrun[15] = 0x03
        #expect(throws: RTPError.truncatedExtension(needed: 32, available: 10)) { try RTPPacket(parsing: twoByteOverrun) }

        var zeroPadding = Self.plain
        zeroPadding[0] |= 0x20
        zeroPadding[zeroPadding.count - 1] = 0
        #expect(throws: RTPError.badPadding(count: 0, available: 3)) { try RTPPacket(parsing: zeroPadding) }
        zeroPadding[zeroPadding.count - 1] = 4
        #expect(throws: RTPError.badPadding(count: 4, available: 3)) { try RTPPacket(parsing: zeroPadding) }
    }

    @Test func paddingMayTakeTheWholePayload() throws {
        var bytes = Self.plain
        bytes[0] |= 0x20
        bytes[bytes.count - 1] = 3
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.payload.isEmpty && packet.paddingLength == 3)
    }
}
