import SRTP
import Testing

/// Round trips, rejection and counting through real libsrtp sessions.
@Suite struct SessionTests {
    static func keys(_ profile: SRTPProfile, seed: UInt8) throws -> SRTPMasterKey {
        try SRTPMasterKey(
            key: (0..<UInt8(profile.masterKeyLength)).map { $0 &+ seed },
            salt: (0..<UInt8(profile.masterSaltLength)).map { $0 &* 3 &+ seed },
            profile: profile)
    }

    /// Sender and receiver of one direction: the receiver's remote key is the sender's local key.
    static func pair(_ profile: SRTPProfile) throws -> (sender: SRTPSession, receiver: SRTPSession) {
        let a = try keys(profile, seed: 1), b = try keys(profile, seed: 100)
        return (try SRTPSession(profile: profile, local: a, remote: b), try SRTPSession(profile: profile, local: b, remote: a))
    }

    static func rtp(ssrc: UInt32, sequence: UInt16, payload: [UInt8] = [1, 2, 3, 4, 5]) -> [UInt8] {
        [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x10, 0]
            + (0..<4).map { UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * $0)) } + payload
    }

    static func receiverReport(ssrc: UInt32) -> [UInt8] {
        [0x80, 201, 0, 1] + (0..<4).map { UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * $0)) }
    }

    @Test(arguments: SRTPProfile.allCases)
    func roundTripForSeveralSSRCs(profile: SRTPProfile) throws {
        let (sender, receiver) = try Self.pair(profile)
        for ssrc: UInt32 in [0x1111_1111, 0x2222_2222] {
            for sequence: UInt16 in [65_534, 65_535, 0, 1] {  // across a rollover
                let plain = Self.rtp(ssrc: ssrc, sequence: sequence)
                var packet = plain
                try sender.protectRTP(&packet)
                #expect(packet != plain)
                #expect(packet.count == plain.count + (profile == .aeadAes128Gcm ? 16 : 10))
                try receiver.unprotectRTP(&packet)
                #expect(packet == plain)
            }
            let report = Self.receiverReport(ssrc: ssrc)
            var packet = report
            try sender.protectRTCP(&packet)
            try receiver.unprotectRTCP(&packet)
            #expect(packet == report)
        }
        #expect(receiver.rejections.total == 0)
    }

    @Test(arguments: SRTPProfile.allCases)
    func tamperedPacketsAreRejectedCountedAndEmptied(profile: SRTPProfile) throws {
        let (sender, receiver) = try Self.pair(profile)
        var good = Self.rtp(ssrc: 7, sequence: 10)
        try sender.protectRTP(&good)
        for position in [1, 14, good.count - 1] {  // header, payload, tag
            var tampered = good
            tampered[position] ^= 0x01
            #expect(throws: SRTPError.rejected(.authenticationFailed)) { try receiver.unprotectRTP(&tampered) }
            #expect(tampered.isEmpty)
        }
        var rtcp = Self.receiverReport(ssrc: 7)
        try sender.protectRTCP(&rtcp)
        rtcp[5] ^= 0x80
        #expect(throws: SRTPError.rejected(.authenticationFailed)) { try receiver.unprotectRTCP(&rtcp) }
        #expect(receiver.rejections.authenticationFailed == 4)
        // The untouched packet still goes through: rejections did not advance the replay window.
        try receiver.unprotectRTP(&good)
        #expect(good == Self.rtp(ssrc: 7, sequence: 10))
    }

    @Test(arguments: SRTPProfile.allCases)
    func replaysAreRejectedAndCounted(profile: SRTPProfile) throws {
        let (sender, receiver) = try Self.pair(profile)
        var first = Self.rtp(ssrc: 9, sequence: 500)
        try sender.protectRTP(&first)
        let copy = first
        try receiver.unprotectRTP(&first)
        var replay = copy
        #expect(throws: SRTPError.rejected(.replayed)) { try receiver.unprotectRTP(&replay) }
        #expect(replay.isEmpty)

        var rtcp = Self.receiverReport(ssrc: 9)
        try sender.protectRTCP(&rtcp)
        var rtcpReplay = rtcp
        try receiver.unprotectRTCP(&rtcp)
        #expect(throws: SRTPError.rejected(.replayed)) { try receiver.unprotectRTCP(&rtcpReplay) }
        #expect(receiver.rejections.replayed == 2)
        #expect(receiver.rejections.total == 2)
    }

    @Test func garbageIsRejectedAsMalformed() throws {
        let (_, receiver) = try Self.pair(.aes128CmHmacSha1_80)
        var short: [UInt8] = [0x80, 96, 0, 1]
        #expect(throws: SRTPError.rejected(.malformed)) { try receiver.unprotectRTP(&short) }
        #expect(receiver.rejections.malformed == 1)
    }

    @Test func packetWithoutTailroomIsRefused() throws {
        let (sender, _) = try Self.pair(.aeadAes128Gcm)
        let packet = Self.rtp(ssrc: 1, sequence: 1)
        var buffer = packet + [UInt8](repeating: 0, count: 4)
        #expect(throws: SRTPError.insufficientTailroom) {
            try buffer.withUnsafeMutableBytes { try sender.protectRTP(in: $0, length: packet.count) }
        }
    }

    @Test func rawBufferTransformsWorkInPlace() throws {
        let (sender, receiver) = try Self.pair(.aeadAes128Gcm)
        let packet = Self.rtp(ssrc: 3, sequence: 3)
        var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.maximumTrailerLength)
        let protectedLength = try buffer.withUnsafeMutableBytes { try sender.protectRTP(in: $0, length: packet.count) }
        #expect(protectedLength == packet.count + 16)
        let plainLength = try buffer.withUnsafeMutableBytes { try receiver.unprotectRTP(in: $0, length: protectedLength) }
        #expect(Array(buffer[..<plainLength]) == packet)
    }

    @Test func wrongKeyLengthsAreRefused() {
        #expect(throws: SRTPError.invalidKeyLength(profile: .aeadAes128Gcm, keyLength: 16, saltLength: 14)) {
            try SRTPMasterKey(key: [UInt8](repeating: 0, count: 16), salt: [UInt8](repeating: 0, count: 14), profile: .aeadAes128Gcm)
        }
    }
}
