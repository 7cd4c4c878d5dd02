import RTP
import Testing
import VP8
import TestSupport

/// A frame of `size` bytes whose first byte has the VP8 payload header's P bit clear for key frames
/// (RFC 7741 §4.3) and whose other bytes are seeded noise.
func makeFrame(size: Int, key: Bool, using generator: inout SeededGenerator) -> [UInt8] {
    var frame = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
    frame[0] = (frame[0] & 0xFE) | (key ? 0 : 1)
    return frame
}

@Suite struct PacketizerTests {
    @Test func splitsIntoBalancedSlicesUnderTheLimit() throws {
        var generator = SeededGenerator(seed: 1)
        var packetizer = VP8Packetizer(ssrc: 0x1234, payloadType: 96, sequenceNumber: 65534, pictureID: 0x7FFE)
        let frame = makeFrame(size: 3000, key: true, using: &generator)
        let packets = packetizer.packetize(frame: frame, timestamp: 90000)
        // 1196 bytes of frame fit after the 4-byte descriptor; 3000 needs 3 packets of 1000.
        #expect(packets.map(\.payload.count) == [1004, 1004, 1004])
        #expect(packets.map(\.sequenceNumber) == [65534, 65535, 0])
        #expect(packets.map(\.marker) == [false, false, true])
        #expect(packets.allSatisfy { $0.timestamp == 90000 && $0.ssrc == 0x1234 && $0.payloadType == 96 })
        var rebuilt: [UInt8] = []
        for (index, packet) in packets.enumerated() {
            let (descriptor, data) = try PayloadDescriptor.split(packet.payload)
            #expect(descriptor == PayloadDescriptor(isStartOfPartition: index == 0, pictureID: .long(0x7FFE)))
            rebuilt += data
        }
        #expect(rebuilt == frame)

        // The next frame continues the sequence and the PictureID, which wraps at 15 bits.
        let next = packetizer.packetize(frame: [0x01, 0x02], timestamp: 93000)
        #expect(next.map(\.sequenceNumber) == [1])
        #expect(next[0].marker)
        #expect(try PayloadDescriptor(parsing: next[0].payload).pictureID == .long(0x7FFF))
        let wrapped = packetizer.packetize(frame: [0x01], timestamp: 96000)
        #expect(try PayloadDescriptor(parsing: wrapped[0].payload).pictureID == .long(0))
        #expect(packetizer.sequenceNumber == 3 && packetizer.pictureID == 1)
    }

    @Test func boundaries() {
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, sequenceNumber: 0, pictureID: 0)
        #expect(packetizer.packetize(frame: [UInt8](repeating: 1, count: 1196), timestamp: 0).map(\.payload.count) == [1200])
        #expect(packetizer.packetize(frame: [UInt8](repeating: 1, count: 1197), timestamp: 0).map(\.payload.count) == [603, 602])
        #expect(packetizer.packetize(frame: [], timestamp: 0).isEmpty)
        #expect(packetizer.pictureID == 2)  // the empty frame used none
        var small = VP8Packetizer(ssrc: 1, payloadType: 96, maxPayloadSize: 5, sequenceNumber: 0, pictureID: 0)
        #expect(small.packetize(frame: [1, 2, 3], timestamp: 0).map(\.payload.count) == [5, 5, 5])
    }

    @Test func nonReferenceFlag() throws {
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, sequenceNumber: 0, pictureID: 5)
        let packets = packetizer.packetize(frame: [1, 2, 3], timestamp: 0, isNonReference: true)
        #expect(try PayloadDescriptor(parsing: packets[0].payload).isNonReference)
    }
}

@Suite struct FrameAssemblerTests {
    /// Frames of mixed sizes, every `keyEvery`th a key frame, from a packetizer that starts just before the
    /// sequence number wrap, with timestamps that wrap too.
    static func stream(frames: Int, seed: UInt64, keyEvery: Int = 7, maxPayloadSize: Int = 200)
        -> (frames: [[UInt8]], packets: [[RTPPacket]]) {
        var generator = SeededGenerator(seed: seed)
        var packetizer = VP8Packetizer(ssrc: 7, payloadType: 96, maxPayloadSize: maxPayloadSize,
                                       sequenceNumber: 65500, pictureID: 0x7FF0)
        var frameData: [[UInt8]] = []
        var packets: [[RTPPacket]] = []
        for index in 0..<frames {
            let frame = makeFrame(size: Int.random(in: 1...1500, using: &generator), key: index % keyEvery == 0, using: &generator)
            frameData.append(frame)
            packets.append(packetizer.packetize(frame: frame, timestamp: timestamp(of: index)))
        }
        return (frameData, packets)
    }

    static func timestamp(of index: Int) -> UInt32 { UInt32.max - 30000 &+ UInt32(index) * 3000 }
    static func index(of frame: VP8Frame) -> Int { Int((frame.timestamp &- timestamp(of: 0)) / 3000) }

    /// Shuffled and duplicated delivery, with only the first frame a key frame so no complete key frame
    /// makes older frames obsolete: every frame must come out once, byte-exact.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func shuffledAndDuplicatedDeliveryReassemblesExactly(seed: UInt64) throws {
        let (frames, packets) = Self.stream(frames: 40, seed: seed, keyEvery: 1000)
        var generator = SeededGenerator(seed: seed &* 31)
        var delivery = Array(packets.joined())
        let duplicates = (0..<50).map { _ in delivery.randomElement(using: &generator)! }
        delivery += duplicates
        delivery.shuffle(using: &generator)

        var assembler = VP8FrameAssembler()
        var completed: [VP8Frame] = []
        for packet in delivery {
            if let frame = try assembler.insert(packet) { completed.append(frame) }
        }
        #expect(completed.count == frames.count)
        #expect(Set(completed.map(Self.index(of:))) == Set(frames.indices))
        for frame in completed {
            let index = Self.index(of: frame)
            #expect(frame.data == frames[index])
            #expect(frame.isKeyFrame == (index == 0))
            #expect(frame.pictureID == .long(UInt16((0x7FF0 + index) & 0x7FFF)))
            #expect(frame.sequenceNumbers.count == packets[index].count)
        }
        #expect(assembler.duplicatePackets == duplicates.count)
        #expect(assembler.latePackets == 0 && assembler.droppedPackets == 0)
        #expect(assembler.missingSequenceNumbers.isEmpty)
    }

    /// Fully shuffled with a key frame every 7: a key frame may complete before older frames and make
    /// them obsolete, but what comes out is byte-exact, at most once, and the last key frame and
    /// everything after it always come out.
    @Test(arguments: [5, 6, 7] as [UInt64])
    func shuffledDeliveryWithKeyFrames(seed: UInt64) throws {
        let (frames, packets) = Self.stream(frames: 40, seed: seed)
        var generator = SeededGenerator(seed: seed &* 17)
        var delivery = Array(packets.joined())
        delivery += delivery.prefix(10)
        delivery.shuffle(using: &generator)

        var assembler = VP8FrameAssembler()
        var seen = Set<Int>()
        for packet in delivery {
            guard let frame = try assembler.insert(packet) else { continue }
            let index = Self.index(of: frame)
            #expect(seen.insert(index).inserted, "frame \(index) came out twice")
            #expect(frame.data == frames[index])
            #expect(frame.isKeyFrame == (index % 7 == 0))
        }
        #expect(Set(35..<40).isSubset(of: seen))
        #expect(assembler.missingSequenceNumbers.isEmpty)
    }

    @Test func inOrderDeliveryAcrossTheWrapGivesEveryFrameInOrder() throws {
        let (frames, packets) = Self.stream(frames: 60, seed: 9)
        var assembler = VP8FrameAssembler()
        var completed: [VP8Frame] = []
        for packet in packets.joined() {
            if let frame = try assembler.insert(packet) { completed.append(frame) }
        }
        #expect(completed.map(\.data) == frames)
        #expect(completed.map(\.isKeyFrame) == frames.indices.map { $0 % 7 == 0 })
        // Extended sequence numbers keep counting past 65535.
        #expect(completed.first!.sequenceNumbers.lowerBound == 65500)
        #expect(completed.last!.sequenceNumbers.upperBound == 65500 + Int64(packets.joined().count) - 1)
        #expect(assembler.duplicatePackets == 0 && assembler.latePackets == 0 && assembler.droppedPackets == 0)
    }

    @Test func reorderingWithinAFrameAndAcrossFrames() throws {
        let (frames, packets) = Self.stream(frames: 3, seed: 5)
        var assembler = VP8FrameAssembler()
        // Frame 1 (delta) before frame 0 (key), each reversed.
        var completed: [VP8Frame] = []
        for packet in packets[1].reversed() + packets[0].reversed() + packets[2] {
            if let frame = try assembler.insert(packet) { completed.append(frame) }
        }
        #expect(completed.map(\.data) == [frames[1], frames[0], frames[2]])
    }

    @Test func missingPacketsAreReportedUntilTheyArrive() throws {
        let (frames, packets) = Self.stream(frames: 4, seed: 11)
        let all = Array(packets.joined())
        #expect(all.count > 10)
        let lost = [all[3], all[4], all[all.count - 2]]
        var assembler = VP8FrameAssembler()
        var completed: [VP8Frame] = []
        for packet in all where !lost.contains(packet) {
            if let frame = try assembler.insert(packet) { completed.append(frame) }
        }
        #expect(assembler.missingSequenceNumbers == lost.map(\.sequenceNumber))
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 7, lost: assembler.missingSequenceNumbers)
        #expect(nack.lostSequenceNumbers == lost.map(\.sequenceNumber))
        // Retransmissions fill the gaps and release the waiting frames.
        for packet in lost {
            if let frame = try assembler.insert(packet) { completed.append(frame) }
        }
        #expect(assembler.missingSequenceNumbers.isEmpty)
        #expect(Set(completed.map(\.data)) == Set(frames))
        #expect(completed.count == frames.count)
    }

    @Test func incompleteFramesDoNotComeOut() throws {
        let (_, packets) = Self.stream(frames: 2, seed: 12)
        #expect(packets[0].count >= 3)
        var assembler = VP8FrameAssembler()
        // Frame 0 without its start, frame 1 without its marker packet.
        for packet in packets[0].dropFirst() + packets[1].dropLast() {
            #expect(try assembler.insert(packet) == nil)
        }
        // Nothing is missing between the first and last packet seen; what is lost lies outside them.
        #expect(assembler.missingSequenceNumbers.isEmpty)
    }

    @Test func aPacketOfAnotherTimestampDoesNotJoinAFrame() throws {
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, maxPayloadSize: 10, sequenceNumber: 100, pictureID: 0)
        var packets = packetizer.packetize(frame: Array(1...18), timestamp: 1000)
        #expect(packets.count == 3)
        packets[1].timestamp = 2000
        var assembler = VP8FrameAssembler()
        for packet in packets { #expect(try assembler.insert(packet) == nil) }
    }

    @Test func keyFrameDropsOlderPartialFrames() throws {
        var generator = SeededGenerator(seed: 13)
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, maxPayloadSize: 100, sequenceNumber: 10, pictureID: 0)
        let delta = packetizer.packetize(frame: makeFrame(size: 300, key: false, using: &generator), timestamp: 0)
        let key = packetizer.packetize(frame: makeFrame(size: 300, key: true, using: &generator), timestamp: 3000)
        var assembler = VP8FrameAssembler()
        _ = try assembler.insert(delta[0])
        _ = try assembler.insert(delta[2])
        var keyFrame: VP8Frame?
        for packet in key { keyFrame = try assembler.insert(packet) ?? keyFrame }
        #expect(keyFrame?.isKeyFrame == true)
        #expect(assembler.droppedPackets == 2)
        #expect(assembler.missingSequenceNumbers.isEmpty)  // nothing before the key frame is wanted
        #expect(try assembler.insert(delta[1]) == nil)
        #expect(assembler.latePackets == 1)
        #expect(try assembler.insert(key[1]) == nil)
        #expect(assembler.duplicatePackets == 1)
    }

    @Test func memoryIsBoundedByTheWindow() throws {
        // 1000 three-packet frames, each missing its middle packet: nothing completes, and only the
        // last `window` sequence numbers are held.
        var generator = SeededGenerator(seed: 14)
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, maxPayloadSize: 14, sequenceNumber: 60000, pictureID: 0)
        var assembler = VP8FrameAssembler(window: 64)
        var sent = 0
        for index in 0..<1000 {
            let frame = makeFrame(size: 30, key: index == 0, using: &generator)
            let packets = packetizer.packetize(frame: frame, timestamp: UInt32(index) * 3000)
            #expect(packets.count == 3)
            for packet in [packets[0], packets[2]] { #expect(try assembler.insert(packet) == nil) }
            sent += 2
        }
        #expect(assembler.missingSequenceNumbers.count <= 64)
        #expect(assembler.missingSequenceNumbers.count >= 21)
        #expect(assembler.droppedPackets >= sent - 64)
        // A frame that arrives whole still completes.
        let whole = packetizer.packetize(frame: makeFrame(size: 30, key: false, using: &generator), timestamp: 9_000_000)
        var completed: VP8Frame?
        for packet in whole { completed = try assembler.insert(packet) ?? completed }
        #expect(completed != nil)
    }

    @Test func largeFrameWhoseStartArrivesLast() throws {
        var generator = SeededGenerator(seed: 15)
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, maxPayloadSize: 14, sequenceNumber: 65000, pictureID: 0)
        let frame = makeFrame(size: 40_000, key: true, using: &generator)
        let packets = packetizer.packetize(frame: frame, timestamp: 0)
        #expect(packets.count == 4000)
        var assembler = VP8FrameAssembler()
        let early = try packets.dropFirst().compactMap { try assembler.insert($0) }
        #expect(early.isEmpty)
        #expect(assembler.missingSequenceNumbers.isEmpty)  // nothing before the first packet seen is known
        let completed = try assembler.insert(packets[0])
        #expect(completed?.data == frame)
        #expect(completed?.isKeyFrame == true)
        // A window smaller than the frame can never hold it all.
        var narrow = VP8FrameAssembler(window: 3999)
        for packet in packets.dropFirst() { _ = try narrow.insert(packet) }
        #expect(try narrow.insert(packets[0]) == nil)
        #expect(narrow.latePackets == 1)
    }

    @Test func malformedPayloads() {
        var assembler = VP8FrameAssembler()
        #expect(throws: VP8Error.truncatedDescriptor(field: "first byte")) {
            try assembler.insert(RTPPacket(payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: []))
        }
        #expect(throws: VP8Error.emptyFrameStart) {
            try assembler.insert(RTPPacket(marker: true, payloadType: 96, sequenceNumber: 2, timestamp: 0, ssrc: 1, payload: [0x10]))
        }
    }
}

