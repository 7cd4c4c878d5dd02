import SRTP
import Testing

/// RFC 7983 first-byte demultiplexing and RFC 5761 RTP/RTCP separation.
@Suite struct PacketClassTests {
    @Test func firstByteRanges() {
        let expected: [(UInt8, PacketClass)] = [
            (0, .stun), (1, .stun), (3, .stun), (4, .unknown), (16, .unknown), (19, .unknown),
            (20, .dtls), (22, .dtls), (63, .dtls), (64, .unknown), (79, .unknown), (127, .unknown),
            (128, .rtp), (191, .rtp), (192, .unknown), (255, .unknown),
        ]
        for (first, packetClass) in expected {
            #expect(PacketClass.classify([first, 96, 0, 0]) == packetClass, "first byte \(first)")
        }
    }

    @Test func rtcpIsToldApartByItsPacketType() {
        for packetType: UInt8 in [192, 200, 201, 205, 206, 223] {
            #expect(PacketClass.classify([0x80, packetType]) == .rtcp, "PT \(packetType)")
        }
        for secondByte: UInt8 in [0, 96, 127, 96 | 0x80, 191, 224, 255] {
            #expect(PacketClass.classify([0x80, secondByte]) == .rtp, "second byte \(secondByte)")
        }
    }

    @Test func tooShortIsUnknown() {
        #expect(PacketClass.classify([]) == .unknown)
        #expect(PacketClass.classify([0x80]) == .unknown)
        #expect(PacketClass.classify([0x00][...]) == .stun)
    }
}
