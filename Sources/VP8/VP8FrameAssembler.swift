import RTP

/// One encoded VP8 frame rebuilt from its RTP packets.
public struct VP8Frame: Hashable, Sendable {
    /// The frame's bytes, descriptors removed.
    public var data: [UInt8]
    /// The RTP timestamp all its packets carried.
    public var timestamp: UInt32
    /// From the VP8 payload header's P bit (RFC 7741 §4.3): a key frame decodes on its own.
    public var isKeyFrame: Bool
    /// The PictureID of the frame's first packet, if it had one.
    public var pictureID: PayloadDescriptor.PictureID?
    /// The extended sequence numbers of its first and last packet (see ``SequenceUnwrapper``), so a
    /// consumer can order frames and notice frames that never completed between two it got.
    public var sequenceNumbers: ClosedRange<Int64>
}

/// Rebuilds VP8 frames from RTP packets of one stream (RFC 7741 depacketization).
///
/// Packets may come in any order, repeated, and across the 65535 → 0 wrap. A frame is complete when
/// consecutive sequence numbers run from a packet that starts it (S set, PID 0) to a marker packet, all
/// with one timestamp; it is returned by the ``insert(_:)`` that completes it, so frames come out in
/// completion order, not necessarily sending order. Frames that never complete do not come out at all.
///
/// Memory is bounded by `window`: only sequence numbers within `window` of the highest seen are kept;
/// older partial frames are dropped. A complete key frame also drops everything before it, as nothing
/// older is needed to decode what follows. Packets of other streams must be filtered out by the caller.
public struct VP8FrameAssembler: Sendable {
    /// How many sequence numbers, back from the highest, packets are kept for. It must exceed the packet
    /// count of the largest frame, or that frame can never complete.
    public let window: Int

    /// Packets that repeated one already held or already part of a returned frame.
    public private(set) var duplicatePackets = 0
    /// Packets that arrived after their sequence number fell out of the window or before a returned key frame.
    public private(set) var latePackets = 0
    /// Packets of partial frames discarded because they fell out of the window or preceded a returned key frame.
    public private(set) var droppedPackets = 0

    private struct Fragment {
        var timestamp: UInt32
        var marker: Bool
        var startsFrame: Bool
        var pictureID: PayloadDescriptor.PictureID?
        var data: ArraySlice<UInt8>
    }

    private var unwrapper = SequenceUnwrapper()
    /// Packets of frames not yet complete, by extended sequence number.
    private var fragments: [Int64: Fragment] = [:]
    /// Sequence numbers at or above `floor` that arrived, in pending or returned frames alike.
    private var received = Set<Int64>()
    private var lowestReceived: Int64 = .max
    private var highest: Int64 = .min
    /// Sequence numbers below this are no longer of interest.
    private var floor: Int64 = .min

    /// - Precondition: `window` is between 1 and 32768 (half the sequence number space).
    public init(window: Int = 4096) {
        precondition((1...0x8000).contains(window), "the window must fit in half the sequence number space")
        self.window = window
    }

    /// Takes one packet; returns the frame it completes, if any.
    ///
    /// - Throws: ``VP8Error`` when the payload is not a VP8 payload; the packet is then ignored.
    public mutating func insert(_ packet: RTPPacket) throws(VP8Error) -> VP8Frame? {
        let (descriptor, data) = try PayloadDescriptor.split(packet.payload)
        let startsFrame = descriptor.isStartOfPartition && descriptor.partitionIndex == 0
        if startsFrame && data.isEmpty { throw .emptyFrameStart }

        let number = unwrapper.unwrap(packet.sequenceNumber)
        if number < floor {
            latePackets += 1
            return nil
        }
        guard received.insert(number).inserted else {
            duplicatePackets += 1
            return nil
        }
        fragments[number] = Fragment(timestamp: packet.timestamp, marker: packet.marker, startsFrame: startsFrame,
                                     pictureID: descriptor.pictureID, data: data)
        lowestReceived = min(lowestReceived, number)
        if number > highest {
            highest = number
            raiseFloor(to: highest - Int64(window) + 1)
        }
        return takeFrame(around: number, timestamp: packet.timestamp)
    }

    /// Sequence numbers between the lowest of interest and the highest seen that have not arrived, in
    /// order: what a NACK should ask for (see ``GenericNACK/init(senderSSRC:mediaSSRC:lost:)``).
    public var missingSequenceNumbers: [UInt16] {
        guard highest != .min else { return [] }
        return (max(floor, lowestReceived)...highest).lazy.filter { !received.contains($0) }
            .map { UInt16(truncatingIfNeeded: $0) }
    }

    /// The frame holding `number`, if all its packets are here; they are removed.
    private mutating func takeFrame(around number: Int64, timestamp: UInt32) -> VP8Frame? {
        // A packet completes its frame only as the last piece missing, so it must start the frame or follow
        // a held packet, and end it or precede one. Checking that first keeps in-order arrival of a large
        // frame linear instead of walking back over the whole frame for every packet.
        let inserted = fragments[number]!
        guard inserted.startsFrame || fragments[number - 1] != nil, inserted.marker || fragments[number + 1] != nil else {
            return nil
        }
        var first = number
        while true {
            guard let fragment = fragments[first], fragment.timestamp == timestamp else { return nil }
            if fragment.startsFrame { break }
            first -= 1
        }
        var last = number
        while true {
            guard let fragment = fragments[last], fragment.timestamp == timestamp else { return nil }
            if fragment.marker { break }
            last += 1
        }
        let start = fragments[first]!
        var data: [UInt8] = []
        data.reserveCapacity((first...last).reduce(0) { $0 + fragments[$1]!.data.count })
        for n in first...last { data += fragments.removeValue(forKey: n)!.data }
        // The VP8 payload header's first byte ends in P, the inverse key frame flag (RFC 7741 §4.3).
        let frame = VP8Frame(data: data, timestamp: timestamp, isKeyFrame: start.data.first! & 0x01 == 0,
                             pictureID: start.pictureID, sequenceNumbers: first...last)
        if frame.isKeyFrame { raiseFloor(to: first) }
        return frame
    }

    /// Forgets everything below `newFloor`, counting the pending packets it drops.
    private mutating func raiseFloor(to newFloor: Int64) {
        guard newFloor > floor else { return }
        let oldFloor = max(floor, lowestReceived)
        floor = newFloor
        guard oldFloor < newFloor else { return }
        // Walk the vacated range when it is short; filter the (window-bounded) sets after a long jump.
        if newFloor - oldFloor <= Int64(received.count) {
            for n in oldFloor..<newFloor {
                received.remove(n)
                if fragments.removeValue(forKey: n) != nil { droppedPackets += 1 }
            }
        } else {
            received = received.filter { $0 >= newFloor }
            let kept = fragments.filter { $0.key >= newFloor }
            droppedPackets += fragments.count - kept.count
            fragments = kept
        }
    }
}
