/// One RTCP packet of a compound packet (RFC 3550 §6, RFC 4585 §6, RFC 5104 §4.3.1, REMB, transport-wide CC).
///
/// Packet types and feedback formats this module does not interpret are kept whole as ``unknown(type:bytes:)``
/// and serialized back unchanged. Padding of known packets is dropped on parsing.
public enum RTCPPacket: Equatable, Sendable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(SourceDescription)
    case goodbye(Goodbye)
    case nack(GenericNACK)
    case pictureLossIndication(PictureLossIndication)
    case fullIntraRequest(FullIntraRequest)
    case receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate)
    case transportFeedback(TransportFeedback)
    /// A packet of another type or feedback format: `bytes` is the whole packet, header included.
    case unknown(type: UInt8, bytes: [UInt8])

    /// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).
    enum PacketType {
        static let senderReport: UInt8 = 200
        static let receiverReport: UInt8 = 201
        static let sourceDescription: UInt8 = 202
        static let goodbye: UInt8 = 203
        static let transportFeedback: UInt8 = 205  // RTPFB
        static let payloadFeedback: UInt8 = 206  // PSFB
    }

    /// Feedback message types (the FMT field): RFC 4585 §6.2–6.3, RFC 5104 §4.3.1, transport-wide CC §3.1.
    enum FeedbackFormat {
        static let nack: UInt8 = 1
        static let transportCC: UInt8 = 15
        static let pli: UInt8 = 1
        static let fir: UInt8 = 4
        static let applicationLayer: UInt8 = 15
    }

    /// Parses a compound RTCP packet: every packet's version, length and body are checked, so a length
    /// field that promises more than the datagram holds is an error, as is any byte left over.
    public static func parseCompound(_ input: some Collection<UInt8>) throws(RTPError) -> [RTCPPacket] {
        let bytes = Array(input)
        guard !bytes.isEmpty else { throw .truncatedRTCP(offset: 0, needed: 4, available: 0) }
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .truncatedRTCP(offset: offset, needed: 4, available: bytes.count - offset) }
            let version = bytes[offset] >> 6
            guard version == 2 else { throw .badVersion(version) }
            let length = 4 * (Int(bytes.uint16(at: offset + 2)) + 1)
            guard length <= bytes.count - offset else { throw .badRTCPLength(offset: offset, length: length, available: bytes.count - offset) }
            packets.append(try parsePacket(Array(bytes[offset..<offset + length]), offset: offset))
            offset += length
        }
        return packets
    }

    /// Parses one packet whose length field has been checked against `packet.count`.
    private static func parsePacket(_ packet: [UInt8], offset: Int) throws(RTPError) -> RTCPPacket {
        let count = Int(packet[0] & 0x1F)
        let type = packet[1]
        var end = packet.count
        if packet[0] & 0x20 != 0 {
            let padding = Int(packet[packet.count - 1])
            guard padding > 0, padding <= packet.count - 4 else { throw .badPadding(count: padding, available: packet.count - 4) }
            end -= padding
        }
        let body = Array(packet[4..<end])
        switch type {
        case PacketType.senderReport: return .senderReport(try SenderReport(count: count, body: body))
        case PacketType.receiverReport: return .receiverReport(try ReceiverReport(count: count, body: body))
        case PacketType.sourceDescription: return .sourceDescription(try SourceDescription(count: count, body: body))
        case PacketType.goodbye: return .goodbye(try Goodbye(count: count, body: body))
        case PacketType.transportFeedback, PacketType.payloadFeedback:
            guard body.count >= 8 else { throw .truncatedRTCP(offset: offset, needed: 12, available: body.count + 4) }
            let sender = body.uint32(at: 0), media = body.uint32(at: 4)
            let fci = Array(body[8...])
            switch (type, UInt8(count)) {
            case (PacketType.transportFeedback, FeedbackFormat.nack):
                return .nack(try GenericNACK(senderSSRC: sender, mediaSSRC: media, fci: fci))
            case (PacketType.transportFeedback, FeedbackFormat.transportCC):
                return .transportFeedback(try TransportFeedback(senderSSRC: sender, mediaSSRC: media, fci: fci))
            case (PacketType.payloadFeedback, FeedbackFormat.pli):
                guard fci.isEmpty else { throw .badRTCP(type: type, reason: "PLI carries no FCI (RFC 4585 §6.3.1)") }
                return .pictureLossIndication(PictureLossIndication(senderSSRC: sender, mediaSSRC: media))
            case (PacketType.payloadFeedback, FeedbackFormat.fir):
                return .fullIntraRequest(try FullIntraRequest(senderSSRC: sender, mediaSSRC: media, fci: fci))
            case (PacketType.payloadFeedback, FeedbackFormat.applicationLayer) where fci.starts(with: ReceiverEstimatedMaximumBitrate.identifier):
                return .receiverEstimatedMaximumBitrate(try ReceiverEstimatedMaximumBitrate(senderSSRC: sender, mediaSSRC: media, fci: fci))
            default:
                return .unknown(type: type, bytes: packet)
            }
        default:
            return .unknown(type: type, bytes: packet)
        }
    }

    /// The bytes of a compound packet holding `packets` in order.
    ///
    /// - Precondition: each packet within its format's limits (at most 31 report blocks, SDES chunks or BYE
    ///   sources; SDES items and BYE reasons at most 255 bytes; at most 65535 transport-wide CC statuses).
    public static func serialize(compound packets: [RTCPPacket]) -> [UInt8] {
        var out: [UInt8] = []
        for packet in packets { packet.serialize(into: &out) }
        return out
    }

    /// The packet's bytes (see ``serialize(compound:)`` for the preconditions).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    /// Appends the packet's bytes to `out`.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .senderReport(let report):
            Self.write(count: report.reports.count, type: PacketType.senderReport, into: &out, body: report.serializeBody)
        case .receiverReport(let report):
            Self.write(count: report.reports.count, type: PacketType.receiverReport, into: &out, body: report.serializeBody)
        case .sourceDescription(let description):
            Self.write(count: description.chunks.count, type: PacketType.sourceDescription, into: &out, body: description.serializeBody)
        case .goodbye(let goodbye):
            Self.write(count: goodbye.sources.count, type: PacketType.goodbye, into: &out, body: goodbye.serializeBody)
        case .nack(let nack):
            Self.writeFeedback(FeedbackFormat.nack, PacketType.transportFeedback, nack.senderSSRC, nack.mediaSSRC, into: &out, fci: nack.serializeFCI)
        case .transportFeedback(let feedback):
            Self.writeFeedback(FeedbackFormat.transportCC, PacketType.transportFeedback, feedback.senderSSRC, feedback.mediaSSRC,
                               into: &out, fci: feedback.serializeFCI)
        case .pictureLossIndication(let pli):
            Self.writeFeedback(FeedbackFormat.pli, PacketType.payloadFeedback, pli.senderSSRC, pli.mediaSSRC, into: &out) { _ in }
        case .fullIntraRequest(let fir):
            Self.writeFeedback(FeedbackFormat.fir, PacketType.payloadFeedback, fir.senderSSRC, fir.mediaSSRC, into: &out, fci: fir.serializeFCI)
        case .receiverEstimatedMaximumBitrate(let remb):
            Self.writeFeedback(FeedbackFormat.applicationLayer, PacketType.payloadFeedback, remb.senderSSRC, remb.mediaSSRC,
                               into: &out, fci: remb.serializeFCI)
        case .unknown(_, let bytes):
            out += bytes
        }
    }

    /// Writes a header, then `body`, padded to whole words, then patches the length field.
    private static func write(count: Int, type: UInt8, into out: inout [UInt8], body: (inout [UInt8]) -> Void) {
        precondition(count <= 31, "an RTCP count field has 5 bits")
        let start = out.count
        out.append(0x80 | UInt8(count))
        out.append(type)
        out.append16(0)
        body(&out)
        out.padToWord()
        let words = (out.count - start) / 4 - 1
        precondition(words <= 0xFFFF, "an RTCP packet is at most 65536 words")
        out[start + 2] = UInt8(words >> 8)
        out[start + 3] = UInt8(words & 0xFF)
    }

    private static func writeFeedback(_ format: UInt8, _ type: UInt8, _ sender: UInt32, _ media: UInt32,
                                      into out: inout [UInt8], fci: (inout [UInt8]) -> Void) {
        write(count: Int(format), type: type, into: &out) { out in
            out.append32(sender)
            out.append32(media)
            fci(&out)
        }
    }
}
