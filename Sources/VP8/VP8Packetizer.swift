import RTP

/// Splits encoded VP8 frames into RTP packets (RFC 7741 §4): each payload is a descriptor with a 15-bit
/// PictureID followed by a slice of the frame, S set on the first packet, the marker bit on the last.
///
/// Frames are sent as one partition (PID 0); slices are of near-equal size, so a frame that needs
/// several packets does not end with a runt.
public struct VP8Packetizer: Sendable {
    public var ssrc: UInt32
    public var payloadType: UInt8
    /// The largest RTP payload to produce, descriptor included.
    public let maxPayloadSize: Int
    /// The sequence number of the next packet.
    public private(set) var sequenceNumber: UInt16
    /// The PictureID of the next frame; 15 bits, wrapping.
    public private(set) var pictureID: UInt16

    /// The descriptor carries X, I and a two-byte PictureID.
    static let descriptorLength = 4

    /// - Parameters:
    ///   - sequenceNumber: the first packet's; random by default, as RFC 3550 §5.1 asks.
    ///   - pictureID: the first frame's (taken modulo 2^15); random by default, as libwebrtc does.
    /// - Precondition: `maxPayloadSize` leaves room for at least one byte of frame after the descriptor.
    public init(ssrc: UInt32, payloadType: UInt8, maxPayloadSize: Int = 1200,
                sequenceNumber: UInt16 = .random(in: .min ... .max), pictureID: UInt16 = .random(in: 0..<0x8000)) {
        precondition(maxPayloadSize > Self.descriptorLength, "the payload must hold the descriptor and some data")
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.maxPayloadSize = maxPayloadSize
        self.sequenceNumber = sequenceNumber
        self.pictureID = pictureID & 0x7FFF
    }

    /// The packets of one encoded frame, captured at RTP time `timestamp`; none for an empty frame.
    /// `isNonReference` sets N: no other frame refers to this one.
    public mutating func packetize(frame: [UInt8], timestamp: UInt32, isNonReference: Bool = false) -> [RTPPacket] {
        guard !frame.isEmpty else { return [] }
        let capacity = maxPayloadSize - Self.descriptorLength
        let count = (frame.count + capacity - 1) / capacity
        let (size, larger) = frame.count.quotientAndRemainder(dividingBy: count)
        var packets: [RTPPacket] = []
        packets.reserveCapacity(count)
        var offset = 0
        for index in 0..<count {
            let sliceSize = size + (index < larger ? 1 : 0)
            var payload: [UInt8] = []
            payload.reserveCapacity(Self.descriptorLength + sliceSize)
            PayloadDescriptor(isNonReference: isNonReference, isStartOfPartition: index == 0, pictureID: .long(pictureID))
                .serialize(into: &payload)
            payload += frame[offset..<offset + sliceSize]
            offset += sliceSize
            packets.append(RTPPacket(marker: index == count - 1, payloadType: payloadType, sequenceNumber: sequenceNumber,
                                     timestamp: timestamp, ssrc: ssrc, payload: payload))
            sequenceNumber &+= 1
        }
        pictureID = (pictureID + 1) & 0x7FFF
        return packets
    }
}
