import RTP
import Testing

/// RTCP packets written out by hand from the RFC figures, then parsed and re-serialized.
@Suite struct RTCPTests {
    /// RFC 3550 §6.4.1 SR with one report block.
    static let senderReport: [UInt8] = [
        0x81, 200, 0x00, 0x0C,  // V=2 P=0 RC=1 PT=SR length=12
        0x11, 0x22, 0x33, 0x44,  // SSRC of sender
        0xE9, 0xA1, 0x2B, 0x3C, 0x80, 0x00, 0x00, 0x00,  // NTP timestamp
        0x00, 0x01, 0x5F, 0x90,  // RTP timestamp 90000
        0x00, 0x00, 0x00, 0x64,  // packet count 100
        0x00, 0x00, 0x30, 0x39,  // octet count 12345
        0x55, 0x66, 0x77, 0x88,  // SSRC_1
        0x40, 0xFF, 0xFF, 0xFE,  // fraction lost 64/256, cumulative lost -2
        0x00, 0x01, 0x00, 0x05,  // extended highest sequence number: 1 wrap, 5
        0x00, 0x00, 0x00, 0x20,  // jitter 32
        0x2B, 0x3C, 0x80, 0x00,  // LSR
        0x00, 0x01, 0x80, 0x00,  // DLSR 1.5 s
    ]

    static let block = ReceptionReport(ssrc: 0x5566_7788, fractionLost: 64, cumulativeLost: -2, extendedHighestSequenceNumber: 0x0001_0005,
                                       jitter: 32, lastSenderReport: 0x2B3C_8000, delaySinceLastSenderReport: 0x0001_8000)

    @Test func senderReport() throws {
        let packets = try RTCPPacket.parseCompound(Self.senderReport)
        #expect(packets == [.senderReport(SenderReport(
            ssrc: 0x1122_3344, ntpTime: NTPTimestamp(seconds: 0xE9A1_2B3C, fraction: 0x8000_0000), rtpTimestamp: 90000,
            packetCount: 100, octetCount: 12345, reports: [Self.block]))])
        #expect(RTCPPacket.serialize(compound: packets) == Self.senderReport)
    }

    @Test func receiverReportWithPadding() throws {
        let bytes: [UInt8] = [0xA0, 201, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 4]  // P=1, 4 bytes padding
        let packets = try RTCPPacket.parseCompound(bytes)
        #expect(packets == [.receiverReport(ReceiverReport(ssrc: 0x0102_0304))])
        #expect(packets[0].bytes == [0x80, 201, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04])
    }

    @Test func sourceDescriptionAndGoodbye() throws {
        let bytes: [UInt8] = [
            0x81, 202, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44,  // SDES, SC=1
            0x01, 0x03, 0x61, 0x62, 0x63, 0x00, 0x00, 0x00,  // CNAME "abc", null item, pad
            0x81, 203, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44,  // BYE, SC=1
            0x03, 0x62, 0x79, 0x65,  // reason "bye"
        ]
        let packets = try RTCPPacket.parseCompound(bytes)
        #expect(packets == [
            .sourceDescription(SourceDescription(chunks: [.init(ssrc: 0x1122_3344, items: [.cname("abc")])])),
            .goodbye(Goodbye(sources: [0x1122_3344], reason: "bye")),
        ])
        guard case .sourceDescription(let sdes) = packets[0] else { return }
        #expect(sdes.chunks[0].cname == "abc")
        #expect(RTCPPacket.serialize(compound: packets) == bytes)
    }

    @Test func sdesChunkEndingOnWordBoundaryGetsFullNullWord() throws {
        // 4 bytes of SSRC + 2 + 2 bytes of item end on a word, so the null item takes a whole word.
        let packet = RTCPPacket.sourceDescription(SourceDescription(chunks: [.init(ssrc: 1, items: [.cname("ab")])]))
        #expect(packet.bytes == [0x81, 202, 0x00, 0x03, 0, 0, 0, 1, 0x01, 0x02, 0x61, 0x62, 0, 0, 0, 0])
        #expect(try RTCPPacket.parseCompound(packet.bytes) == [packet])
    }

    @Test func genericNACK() throws {
        let bytes: [UInt8] = [
            0x81, 205, 0x00, 0x03,  // FMT=1 PT=RTPFB length=3
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  // sender, media source
            0x00, 0x64, 0b0000_0000, 0b0000_0101,  // PID=100, BLP: 101 and 103
        ]
        let packets = try RTCPPacket.parseCompound(bytes)
        guard case .nack(let nack) = packets.first else { Issue.record("not a NACK: \(packets)"); return }
        #expect(nack.senderSSRC == 1 && nack.mediaSSRC == 2)
        #expect(nack.items == [GenericNACK.Item(packetID: 100, lostBitmask: 5)])
        #expect(nack.lostSequenceNumbers == [100, 101, 103])
        #expect(GenericNACK(senderSSRC: 1, mediaSSRC: 2, lost: [103, 100, 101]) == nack)
        #expect(packets[0].bytes == bytes)
    }

    @Test func pliAndFIR() throws {
        let bytes: [UInt8] = [
            0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2,  // PLI (FMT=1 PT=PSFB)
            0x84, 206, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0,  // FIR (FMT=4), media source 0
            0xAB, 0xCD, 0xEF, 0x01, 0x07, 0x00, 0x00, 0x00,  // SSRC, seq nr 7, reserved
        ]
        let packets = try RTCPPacket.parseCompound(bytes)
        #expect(packets == [
            .pictureLossIndication(PictureLossIndication(senderSSRC: 1, mediaSSRC: 2)),
            .fullIntraRequest(FullIntraRequest(senderSSRC: 1, entries: [.init(ssrc: 0xABCD_EF01, sequenceNumber: 7)])),
        ])
        #expect(RTCPPacket.serialize(compound: packets) == bytes)
    }

    @Test func remb() throws {
        // 1 000 000 bit/s = 250 000 · 2^2: exponent 2, mantissa 0x3D090.
        let bytes: [UInt8] = [
            0x8F, 206, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 0,  // FMT=15 PT=PSFB, media source 0
            0x52, 0x45, 0x4D, 0x42,  // "REMB"
            0x01, 0b0000_10_11, 0xD0, 0x90,  // Num SSRC=1, BR Exp=2, BR Mantissa=0x3D090
            0x12, 0x34, 0x56, 0x78,
        ]
        let packets = try RTCPPacket.parseCompound(bytes)
        #expect(packets == [.receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(
            senderSSRC: 1, bitrate: 1_000_000, ssrcs: [0x1234_5678]))])
        #expect(packets[0].bytes == bytes)
    }

    @Test func rembRoundsDownToWhatTheWireHolds() throws {
        let packet = RTCPPacket.receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(senderSSRC: 1, bitrate: 1_000_003, ssrcs: []))
        guard case .receiverEstimatedMaximumBitrate(let parsed) = try RTCPPacket.parseCompound(packet.bytes).first else {
            Issue.record("not a REMB"); return
        }
        #expect(parsed.bitrate == 1_000_000)
        let huge = RTCPPacket.receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(senderSSRC: 1, bitrate: .max, ssrcs: [9]))
        guard case .receiverEstimatedMaximumBitrate(let again) = try RTCPPacket.parseCompound(huge.bytes).first else {
            Issue.record("not a REMB"); return
        }
        #expect(again.bitrate == 0x3FFFF << 46)
    }

    /// Transport-wide CC feedback with a run-length chunk and a two-bit status vector chunk
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3–3.1.5).
    static let transportFeedback: [UInt8] = [
        0x8F, 205, 0x00, 0x07,  // FMT=15 PT=RTPFB length=7
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
        0x00, 0x0A, 0x00, 0x06,  // base sequence number 10, packet status count 6
        0x00, 0x01, 0x02, 0x07,  // reference time 258 (· 64 ms), feedback packet count 7
        0b0_01_00000, 0b0000_0011,  // run length: symbol 01 (small delta), run 3
        0b1_1_00_10_01, 0b00_00_00_00,  // status vector, 2-bit: not received, large, small (rest unused)
        0x04, 0x04, 0x08,  // small deltas: 1 ms, 1 ms, 2 ms
        0xFF, 0x38,  // large delta: -200 · 250 µs = -50 ms
        0x10,  // small delta: 4 ms
        0x00, 0x00,  // padding to the word
    ]

    @Test func transportWideFeedback() throws {
        let packets = try RTCPPacket.parseCompound(Self.transportFeedback)
        guard case .transportFeedback(let feedback) = packets.first else { Issue.record("not TWCC: \(packets)"); return }
        #expect(feedback.senderSSRC == 0x1122_3344 && feedback.mediaSSRC == 0x5566_7788)
        #expect(feedback.baseSequenceNumber == 10 && feedback.referenceTime == 258 && feedback.feedbackPacketCount == 7)
        #expect(feedback.statuses == [.smallDelta(4), .smallDelta(4), .smallDelta(8), .notReceived, .largeDelta(-200), .smallDelta(16)])
        let arrivals = feedback.arrivals
        #expect(arrivals.map(\.sequenceNumber) == [10, 11, 12, 14, 15])
        #expect(arrivals.map(\.arrival) == [16513, 16514, 16516, 16466, 16470].map { Duration.milliseconds($0) })

        // Our encoder picks one two-bit vector for all six; the statuses survive.
        let encoded = packets[0].bytes
        #expect(Array(encoded[20..<22]) == [0b1_1_01_01_01, 0b00_10_01_00])
        #expect(try RTCPPacket.parseCompound(encoded) == packets)
    }

    @Test func transportFeedbackChunkChoice() throws {
        // 20 lost, 14 without large deltas, 8 large: run-length, one-bit vector, run-length.
        let mixed: [TransportFeedback.PacketStatus] = [.smallDelta(1), .notReceived, .smallDelta(2), .smallDelta(3)]
            + Array(repeating: .notReceived, count: 9) + [.smallDelta(4)]
        let statuses = Array(repeating: .notReceived, count: 20) + mixed + Array(repeating: .largeDelta(-1), count: 8)
        let feedback = TransportFeedback(senderSSRC: 1, mediaSSRC: 2, baseSequenceNumber: 65530, referenceTime: -5,
                                         feedbackPacketCount: 0, statuses: statuses)
        let bytes = RTCPPacket.transportFeedback(feedback).bytes
        #expect(Array(bytes[20..<26]) == [
            0b0_00_00000, 20,  // run length: symbol 00, run 20
            0b1_0_1_0_1_1_0_0, 0b0000_0001,  // one-bit vector: 1 0 1 1, nine 0s, 1
            0b0_10_00000, 8,  // run length: symbol 10, run 8
        ])
        let parsed = try RTCPPacket.parseCompound(bytes)
        #expect(parsed == [.transportFeedback(feedback)])
        #expect(feedback.arrivals.first?.sequenceNumber == 65530 &+ 20)
        #expect(feedback.arrivals.last?.sequenceNumber == 65530 &+ 41)
        #expect(feedback.arrivals.first?.arrival == .milliseconds(-320) + .microseconds(250))
    }

    @Test func unknownTypesKeptWhole() throws {
        let app: [UInt8] = [0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 0x6E, 0x61, 0x6D, 0x65]  // APP "name"
        let tmmbr: [UInt8] = [0x83, 205, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0x04, 0x00, 0x00, 0x00]  // RTPFB FMT=3
        let afb: [UInt8] = [0x8F, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0x41, 0x42, 0x43, 0x44]  // PSFB AFB, not REMB
        let packets = try RTCPPacket.parseCompound(app + tmmbr + afb)
        #expect(packets == [.unknown(type: 204, bytes: app), .unknown(type: 205, bytes: tmmbr), .unknown(type: 206, bytes: afb)])
        #expect(RTCPPacket.serialize(compound: packets) == app + tmmbr + afb)
    }

    @Test func compoundRoundTrip() throws {
        let compound: [RTCPPacket] = [
            .receiverReport(ReceiverReport(ssrc: 7, reports: [Self.block, Self.block])),
            .sourceDescription(SourceDescription(chunks: [.init(ssrc: 7, items: [.cname("{d1a8b6c2-3f}"), .init(type: 6, text: "Glimpse")]),
                                                          .init(ssrc: 8, items: [])])),
            .nack(GenericNACK(senderSSRC: 7, mediaSSRC: 9, lost: [1, 2, 3, 40, 65535])),
            .goodbye(Goodbye(sources: [7, 8])),
            .goodbye(Goodbye(sources: [], reason: "")),
        ]
        let bytes = RTCPPacket.serialize(compound: compound)
        #expect(bytes.count % 4 == 0)
        #expect(try RTCPPacket.parseCompound(bytes) == compound)
    }

    // MARK: Malformed input

    @Test func lyingLengthsAndTruncation() {
        #expect(throws: RTPError.truncatedRTCP(offset: 0, needed: 4, available: 0)) { try RTCPPacket.parseCompound([]) }
        // Length says 5 words after the header; 4 bytes follow.
        #expect(throws: RTPError.badRTCPLength(offset: 0, length: 24, available: 8)) {
            try RTCPPacket.parseCompound([0x80, 201, 0x00, 0x05, 0, 0, 0, 1])
        }
        // A valid RR, then 3 stray bytes.
        #expect(throws: RTPError.truncatedRTCP(offset: 8, needed: 4, available: 3)) {
            try RTCPPacket.parseCompound([0x80, 201, 0x00, 0x01, 0, 0, 0, 1, 0x80, 201, 0x00])
        }
        // Second packet of version 1.
        #expect(throws: RTPError.badVersion(1)) {
            try RTCPPacket.parseCompound([0x80, 201, 0x00, 0x01, 0, 0, 0, 1, 0x40, 201, 0x00, 0x00])
        }
        // RC=2 with room for one block.
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x82] + Self.senderReport.dropFirst()) }
        // Padding count larger than the body, and zero.
        #expect(throws: RTPError.badPadding(count: 9, available: 4)) {
            try RTCPPacket.parseCompound([0xA0, 201, 0x00, 0x01, 0, 0, 0, 9])
        }
        #expect(throws: RTPError.badPadding(count: 0, available: 4)) {
            try RTCPPacket.parseCompound([0xA0, 201, 0x00, 0x01, 0, 0, 0, 0])
        }
        // Feedback without its two SSRCs.
        #expect(throws: RTPError.truncatedRTCP(offset: 0, needed: 12, available: 8)) {
            try RTCPPacket.parseCompound([0x81, 206, 0x00, 0x01, 0, 0, 0, 1])
        }
        // PLI with an FCI, FIR with half an entry, REMB whose count disagrees with its length.
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x81, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0]) }
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x84, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]) }
        #expect(throws: RTPError.self) {
            try RTCPPacket.parseCompound([0x8F, 206, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 0x52, 0x45, 0x4D, 0x42, 0x02, 0, 0, 1])
        }
        // SDES item running past the packet, SDES without null item, BYE reason past the packet, bad UTF-8.
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 0x61, 0x62]) }
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 0x61, 0x62]) }
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x81, 203, 0x00, 0x02, 0, 0, 0, 1, 0x05, 0x61, 0x62, 0x63]) }
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound([0x81, 203, 0x00, 0x02, 0, 0, 0, 1, 0x02, 0xC3, 0x28, 0x00]) }
    }

    @Test func malformedTransportFeedback() {
        var truncated = Self.transportFeedback
        truncated[3] = 0x06  // drop the last word: the final delta is gone
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound(truncated.prefix(28)) }
        var reserved = Self.transportFeedback
        reserved[20] = 0b0_11_00000  // run of the reserved symbol
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound(reserved) }
        var zeroRun = Self.transportFeedback
        zeroRun[21] = 0
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound(zeroRun) }
        var tooMany = Self.transportFeedback
        tooMany[14] = 0x40  // 16390 statuses: the chunks run out
        #expect(throws: RTPError.self) { try RTCPPacket.parseCompound(tooMany) }
    }
}
