/// One reception report block (RFC 3550 §6.4.1): what a receiver saw of one source.
public struct ReceptionReport: Hashable, Sendable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Packets lost since the previous report, as a fraction of those expected, in 1/256.
    public var fractionLost: UInt8
    /// Packets expected minus packets received since reception began; 24-bit signed on the wire
    /// (duplicates can make it negative), so serializing clamps it to -8388608...8388607.
    public var cumulativeLost: Int32
    /// The highest sequence number received, extended by the count of wraps in the high 16 bits.
    public var extendedHighestSequenceNumber: UInt32
    /// Interarrival jitter in timestamp units (RFC 3550 A.8).
    public var jitter: UInt32
    /// The middle 32 bits of the last sender report's NTP time (LSR), 0 if none was received.
    public var lastSenderReport: UInt32
    /// The delay between receiving that sender report and sending this block (DLSR), in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequenceNumber: UInt32,
                jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    static let length = 24
    static let cumulativeLostRange: ClosedRange<Int32> = -0x80_0000...0x7F_FFFF

    init(_ bytes: [UInt8], at offset: Int) {
        ssrc = bytes.uint32(at: offset)
        fractionLost = bytes[offset + 4]
        // Sign-extend the 24-bit field by shifting it to the top and back.
        cumulativeLost = Int32(bitPattern: bytes.uint24(at: offset + 5) << 8) >> 8
        extendedHighestSequenceNumber = bytes.uint32(at: offset + 8)
        jitter = bytes.uint32(at: offset + 12)
        lastSenderReport = bytes.uint32(at: offset + 16)
        delaySinceLastSenderReport = bytes.uint32(at: offset + 20)
    }

    func serialize(into out: inout [UInt8]) {
        out.append32(ssrc)
        out.append(fractionLost)
        let lost = min(max(cumulativeLost, Self.cumulativeLostRange.lowerBound), Self.cumulativeLostRange.upperBound)
        out.append24(UInt32(bitPattern: lost))
        out.append32(extendedHighestSequenceNumber)
        out.append32(jitter)
        out.append32(lastSenderReport)
        out.append32(delaySinceLastSenderReport)
    }

    /// The round-trip time this block implies at the sender it reports to, which received it at `arrival`
    /// (see ``roundTripTime(arrival:lastSenderReport:delaySinceLastSenderReport:)``).
    public func roundTripTime(arrival: NTPTimestamp) -> Duration? {
        RTP.roundTripTime(arrival: arrival, lastSenderReport: lastSenderReport, delaySinceLastSenderReport: delaySinceLastSenderReport)
    }
}

/// Reads `count` report blocks starting at `offset`; the caller has checked they fit.
private func reportBlocks(_ body: [UInt8], at offset: Int, count: Int) -> [ReceptionReport] {
    (0..<count).map { ReceptionReport(body, at: offset + $0 * ReceptionReport.length) }
}

/// RTCP SR (RFC 3550 §6.4.1): a sender's NTP/RTP time pair and counts, plus its reception reports.
/// Profile-specific extensions after the report blocks are not kept.
public struct SenderReport: Hashable, Sendable {
    public var ssrc: UInt32
    /// The wallclock time when this report was sent.
    public var ntpTime: NTPTimestamp
    /// The same instant on the RTP timestamp clock of this source.
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    /// Payload octets sent (headers and padding excluded).
    public var octetCount: UInt32
    /// At most 31 blocks.
    public var reports: [ReceptionReport]

    public init(ssrc: UInt32, ntpTime: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
                reports: [ReceptionReport] = []) {
        self.ssrc = ssrc
        self.ntpTime = ntpTime
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    init(count: Int, body: [UInt8]) throws(RTPError) {
        let needed = 24 + count * ReceptionReport.length
        guard body.count >= needed else {
            throw .badRTCP(type: RTCPPacket.PacketType.senderReport, reason: "\(count) report blocks need \(needed) bytes, body has \(body.count)")
        }
        ssrc = body.uint32(at: 0)
        ntpTime = NTPTimestamp(seconds: body.uint32(at: 4), fraction: body.uint32(at: 8))
        rtpTimestamp = body.uint32(at: 12)
        packetCount = body.uint32(at: 16)
        octetCount = body.uint32(at: 20)
        reports = reportBlocks(body, at: 24, count: count)
    }

    func serializeBody(into out: inout [UInt8]) {
        out.append32(ssrc)
        out.append32(ntpTime.seconds)
        out.append32(ntpTime.fraction)
        out.append32(rtpTimestamp)
        out.append32(packetCount)
        out.append32(octetCount)
        for report in reports { report.serialize(into: &out) }
    }
}

/// RTCP RR (RFC 3550 §6.4.2): reception reports from a participant that is not sending.
/// Profile-specific extensions after the report blocks are not kept.
public struct ReceiverReport: Hashable, Sendable {
    public var ssrc: UInt32
    /// At most 31 blocks.
    public var reports: [ReceptionReport]

    public init(ssrc: UInt32, reports: [ReceptionReport] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    init(count: Int, body: [UInt8]) throws(RTPError) {
        let needed = 4 + count * ReceptionReport.length
        guard body.count >= needed else {
            throw .badRTCP(type: RTCPPacket.PacketType.receiverReport, reason: "\(count) report blocks need \(needed) bytes, body has \(body.count)")
        }
        ssrc = body.uint32(at: 0)
        reports = reportBlocks(body, at: 4, count: count)
    }

    func serializeBody(into out: inout [UInt8]) {
        out.append32(ssrc)
        for report in reports { report.serialize(into: &out) }
    }
}

/// RTCP SDES (RFC 3550 §6.5): text items describing sources, CNAME above all.
public struct SourceDescription: Hashable, Sendable {
    /// At most 31 chunks.
    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    /// The items of one source.
    public struct Chunk: Hashable, Sendable {
        public var ssrc: UInt32
        public var items: [Item]

        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }

        /// The value of the first CNAME item.
        public var cname: String? { items.first { $0.type == Item.cname }?.text }
    }

    /// One item: its type (1 CNAME … 8 PRIV) and UTF-8 text of at most 255 bytes.
    public struct Item: Hashable, Sendable {
        public var type: UInt8
        public var text: String

        public init(type: UInt8, text: String) {
            self.type = type
            self.text = text
        }

        /// The CNAME item type (RFC 3550 §6.5.1).
        public static let cname: UInt8 = 1

        public static func cname(_ text: String) -> Item { Item(type: cname, text: text) }
    }

    init(count: Int, body: [UInt8]) throws(RTPError) {
        func fail(_ reason: String) -> RTPError { .badRTCP(type: RTCPPacket.PacketType.sourceDescription, reason: reason) }
        chunks = []
        var offset = 0
        for _ in 0..<count {
            guard body.count - offset >= 4 else { throw fail("chunk \(chunks.count) has no SSRC") }
            var chunk = Chunk(ssrc: body.uint32(at: offset), items: [])
            offset += 4
            // Items run until a zero type byte; the chunk then pads to the next word (§6.5).
            while true {
                guard offset < body.count else { throw fail("chunk \(chunks.count) has no terminating null item") }
                let type = body[offset]
                if type == 0 {
                    offset = (offset + 4) & ~3
                    break
                }
                guard body.count - offset >= 2, body.count - offset - 2 >= Int(body[offset + 1]) else {
                    throw fail("item of type \(type) runs past the packet")
                }
                let value = body[(offset + 2)..<(offset + 2 + Int(body[offset + 1]))]
                guard let text = String(validating: value, as: UTF8.self) else { throw fail("item of type \(type) is not UTF-8") }
                chunk.items.append(Item(type: type, text: text))
                offset += 2 + value.count
            }
            chunks.append(chunk)
        }
    }

    func serializeBody(into out: inout [UInt8]) {
        for chunk in chunks {
            out.append32(chunk.ssrc)
            for item in chunk.items {
                precondition(item.type != 0 && item.text.utf8.count <= 255, "SDES items have a nonzero type and at most 255 bytes")
                out.append(item.type)
                out.append(UInt8(item.text.utf8.count))
                out += item.text.utf8
            }
            // The null item, then zeros to the word boundary: one to four zero bytes in all.
            out.append(0)
            out.padToWord()
        }
    }
}

/// RTCP BYE (RFC 3550 §6.6): sources leaving, with an optional reason.
public struct Goodbye: Hashable, Sendable {
    /// At most 31 sources.
    public var sources: [UInt32]
    /// At most 255 bytes of UTF-8.
    public var reason: String?

    public init(sources: [UInt32], reason: String? = nil) {
        self.sources = sources
        self.reason = reason
    }

    init(count: Int, body: [UInt8]) throws(RTPError) {
        func fail(_ reason: String) -> RTPError { .badRTCP(type: RTCPPacket.PacketType.goodbye, reason: reason) }
        guard body.count >= 4 * count else { throw fail("\(count) sources need \(4 * count) bytes, body has \(body.count)") }
        sources = (0..<count).map { body.uint32(at: 4 * $0) }
        let offset = 4 * count
        reason = nil
        if offset < body.count {
            let length = Int(body[offset])
            guard body.count - offset - 1 >= length else { throw fail("reason runs past the packet") }
            guard let text = String(validating: body[(offset + 1)..<(offset + 1 + length)], as: UTF8.self) else {
                throw fail("reason is not UTF-8")
            }
            reason = text
        }
    }

    func serializeBody(into out: inout [UInt8]) {
        for source in sources { out.append32(source) }
        if let reason {
            precondition(reason.utf8.count <= 255, "a BYE reason is at most 255 bytes")
            out.append(UInt8(reason.utf8.count))
            out += reason.utf8
        }
    }
}
