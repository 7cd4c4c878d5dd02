import RTP
import Testing
import TestSupport

@Suite struct SequenceTests {
    @Test func newerAcrossTheWrap() {
        #expect(SequenceNumber.isNewer(1, than: 65535))
        #expect(SequenceNumber.isNewer(0, than: 65535))
        #expect(!SequenceNumber.isNewer(65535, than: 0))
        #expect(!SequenceNumber.isNewer(7, than: 7))
        #expect(SequenceNumber.isNewer(100, than: 99))
        // Exactly half the space apart: the numerically larger is newer, and only one of the two.
        #expect(SequenceNumber.isNewer(0x8000, than: 0))
        #expect(!SequenceNumber.isNewer(0, than: 0x8000))
        #expect(SequenceNumber.distance(from: 65535, to: 1) == 2)
        #expect(SequenceNumber.distance(from: 1, to: 65535) == -2)
        #expect(SequenceNumber.distance(from: 0, to: 0x8000) == 0x8000)
        #expect(SequenceNumber.distance(from: 0x8000, to: 0) == -0x8000)
        #expect(SequenceNumber.distance(from: 5, to: 5) == 0)
    }

    @Test func unwrapperExtendsThroughWraps() {
        var unwrapper = SequenceUnwrapper()
        #expect([65534, 65535, 0, 1, 65535, 2].map { unwrapper.unwrap($0) } == [65534, 65535, 65536, 65537, 65535, 65538])
        // Walk 3 wraps forward in steps of 30000.
        var steady = SequenceUnwrapper()
        var expected: Int64 = 0
        for _ in 0..<7 {
            #expect(steady.unwrap(UInt16(truncatingIfNeeded: expected)) == expected)
            expected += 30000
        }
        // Before the first value: below zero.
        var backwards = SequenceUnwrapper()
        #expect(backwards.unwrap(2) == 2)
        #expect(backwards.unwrap(65534) == -2)
        #expect(backwards.peek(1) == 1)
    }

    @Test func timestampUnwrapper() {
        var unwrapper = TimestampUnwrapper()
        #expect(unwrapper.unwrap(0xFFFF_FF00) == 0xFFFF_FF00)
        #expect(unwrapper.unwrap(0x0000_0100) == 0x1_0000_0100)
        #expect(unwrapper.unwrap(0xFFFF_FFFF) == 0xFFFF_FFFF)
    }

    @Test func sortedInSendingOrder() {
        #expect(SequenceNumber.sorted([1, 65535, 0, 65534, 1]) == [65534, 65535, 0, 1])
        #expect(SequenceNumber.sorted([300, 100, 200]) == [100, 200, 300])
        #expect(SequenceNumber.sorted([]) == [])
    }

    @Test func nackBuildAndExpandAcrossTheWrap() {
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lost: [65534, 0, 1, 65535, 20])
        #expect(nack.items == [GenericNACK.Item(packetID: 65534, lostBitmask: 0b111), GenericNACK.Item(packetID: 20, lostBitmask: 0)])
        #expect(nack.lostSequenceNumbers == [65534, 65535, 0, 1, 20])
    }

    @Test func nackBitmaskReachesSixteen() {
        let lost: [UInt16] = [10, 26, 27, 43]
        let nack = GenericNACK(senderSSRC: 0, mediaSSRC: 0, lost: lost)
        // 26 is PID+16 (the BLP's top bit); 27 needs a new item, and 43 is 27+16.
        #expect(nack.items == [GenericNACK.Item(packetID: 10, lostBitmask: 0x8000), GenericNACK.Item(packetID: 27, lostBitmask: 0x8000)])
        #expect(nack.lostSequenceNumbers == lost)
    }

    @Test func nackOfAThousandSeededLosses() throws {
        var generator = SeededGenerator(seed: 7)
        let start = UInt16.random(in: 0...UInt16.max, using: &generator)
        let lost = Set((0..<3000).compactMap { step -> UInt16? in
            Bool.random(using: &generator) ? start &+ UInt16(step) : nil
        })
        let nack = GenericNACK(senderSSRC: 3, mediaSSRC: 4, lost: lost)
        #expect(Set(nack.lostSequenceNumbers) == lost)
        #expect(nack.lostSequenceNumbers == SequenceNumber.sorted(lost))
        let parsed = try RTCPPacket.parseCompound(RTCPPacket.nack(nack).bytes)
        #expect(parsed == [.nack(nack)])
    }
}

