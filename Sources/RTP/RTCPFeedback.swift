/// Generic NACK (RFC 4585 §6.2.1): the media sender should retransmit these packets.
public struct GenericNACK: Hashable, Sendable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var items: [Item]

    /// One FCI entry: a lost packet (PID) and a bitmask of losses among the 16 packets after it (BLP,
    /// least significant bit for PID + 1).
    public struct Item: Hashable, Sendable {
        public var packetID: UInt16
        public var lostBitmask: UInt16

        public init(packetID: UInt16, lostBitmask: UInt16) {
            self.packetID = packetID
            self.lostBitmask = lostBitmask
        }
    }

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, items: [Item]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.items = items
    }

    /// A NACK for `lost`, in as few items as the sending order allows (see ``SequenceNumber/sorted(_:)``).
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lost: some Sequence<UInt16>) {
        var items: [Item] = []
        for number in SequenceNumber.sorted(lost) {
            if let last = items.last, case let step = number &- last.packetID, (1...16).contains(step) {
                items[items.count - 1].lostBitmask |= 1 << (step - 1)
            } else {
                items.append(Item(packetID: number, lostBitmask: 0))
            }
        }
        self.init(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, items: items)
    }

    /// Every sequence number the items name, once each, in item order.
    public var lostSequenceNumbers: [UInt16] {
        var seen = Set<UInt16>()
        var numbers: [UInt16] = []
        for item in items {
            for step in 0...16 where step == 0 || item.lostBitmask & (1 << (step - 1)) != 0 {
                let number = item.packetID &+ UInt16(step)
                if seen.insert(number).inserted { numbers.append(number) }
            }
        }
        return numbers
    }

    init(senderSSRC: UInt32, mediaSSRC: UInt32, fci: [UInt8]) throws(RTPError) {
        guard fci.count % 4 == 0 else {
            throw .badRTCP(type: RTCPPacket.PacketType.transportFeedback, reason: "NACK FCI of \(fci.count) bytes is not whole items")
        }
        self.init(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, items: stride(from: 0, to: fci.count, by: 4).map {
            Item(packetID: fci.uint16(at: $0), lostBitmask: fci.uint16(at: $0 + 2))
        })
    }

    func serializeFCI(into out: inout [UInt8]) {
        for item in items {
            out.append16(item.packetID)
            out.append16(item.lostBitmask)
        }
    }
}

/// Picture Loss Indication (RFC 4585 §6.3.1): the receiver lost picture data; the sender should send a key frame.
public struct PictureLossIndication: Hashable, Sendable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }
}

/// Full Intra Request (RFC 5104 §4.3.1): a key frame is required, e.g. for a new participant.
public struct FullIntraRequest: Hashable, Sendable {
    public var senderSSRC: UInt32
    /// Unused by FIR and 0 (RFC 5104 §4.3.1.2); the requested sources are in the entries.
    public var mediaSSRC: UInt32
    public var entries: [Entry]

    /// A request to one media sender, numbered so repeats of one request can be recognised.
    public struct Entry: Hashable, Sendable {
        public var ssrc: UInt32
        public var sequenceNumber: UInt8

        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public init(senderSSRC: UInt32, mediaSSRC: UInt32 = 0, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.entries = entries
    }

    init(senderSSRC: UInt32, mediaSSRC: UInt32, fci: [UInt8]) throws(RTPError) {
        guard fci.count % 8 == 0 else {
            throw .badRTCP(type: RTCPPacket.PacketType.payloadFeedback, reason: "FIR FCI of \(fci.count) bytes is not whole entries")
        }
        self.init(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, entries: stride(from: 0, to: fci.count, by: 8).map {
            Entry(ssrc: fci.uint32(at: $0), sequenceNumber: fci[$0 + 4])
        })
    }

    func serializeFCI(into out: inout [UInt8]) {
        for entry in entries {
            out.append32(entry.ssrc)
            out.append(entry.sequenceNumber)
            out.append24(0)
        }
    }
}

/// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2): an application-layer
/// feedback message carrying the receiver's estimate of the total bitrate the sender may use.
public struct ReceiverEstimatedMaximumBitrate: Hashable, Sendable {
    public var senderSSRC: UInt32
    /// Always 0 (§2.2); the sources the estimate applies to are in `ssrcs`.
    public var mediaSSRC: UInt32
    /// Bits per second. The wire carries an 18-bit mantissa and a 6-bit exponent, so serializing
    /// rounds down to the nearest value that form holds.
    public var bitrate: UInt64
    /// At most 255 sources.
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32 = 0, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    /// The unique identifier that opens the FCI: "REMB" in ASCII.
    static let identifier: [UInt8] = [0x52, 0x45, 0x4D, 0x42]

    init(senderSSRC: UInt32, mediaSSRC: UInt32, fci: [UInt8]) throws(RTPError) {
        func fail(_ reason: String) -> RTPError { .badRTCP(type: RTCPPacket.PacketType.payloadFeedback, reason: reason) }
        guard fci.count >= 8 else { throw fail("REMB FCI shorter than 8 bytes") }
        let count = Int(fci[4])
        guard fci.count == 8 + 4 * count else { throw fail("REMB with \(count) SSRCs in \(fci.count) bytes of FCI") }
        let exponent = UInt64(fci[5] >> 2)
        let mantissa = UInt64(fci.uint24(at: 5) & 0x3_FFFF)
        // A mantissa shifted past 64 bits is no bitrate at all (libwebrtc refuses it too).
        guard exponent == 0 || mantissa >> (64 - exponent) == 0 else { throw fail("REMB bitrate \(mantissa)·2^\(exponent) overflows 64 bits") }
        self.init(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, bitrate: mantissa << exponent,
                  ssrcs: (0..<count).map { fci.uint32(at: 8 + 4 * $0) })
    }

    func serializeFCI(into out: inout [UInt8]) {
        precondition(ssrcs.count <= 255, "a REMB names at most 255 SSRCs")
        out += Self.identifier
        out.append(UInt8(ssrcs.count))
        var exponent: UInt64 = 0
        while bitrate >> exponent >= 1 << 18 { exponent += 1 }
        out.append24(UInt32(exponent) << 18 | UInt32(bitrate >> exponent))
        for ssrc in ssrcs { out.append32(ssrc) }
    }
}
