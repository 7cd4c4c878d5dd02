/// The abs-send-time header extension value
/// (`http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`): the send time as 24-bit 6.18
/// fixed-point seconds, the NTP time's low 6 bits of seconds and high 18 bits of fraction.
public struct AbsoluteSendTime: Hashable, Sendable {
    /// The 24-bit value; the top 8 bits are always zero.
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue & 0xFF_FFFF }

    public init(_ time: NTPTimestamp) {
        self.init(rawValue: UInt32(truncatingIfNeeded: time.rawValue >> 14))
    }

    /// Reads the 3-byte extension value.
    public init(parsing value: [UInt8], id: UInt8 = 0) throws(RTPError) {
        guard value.count == 3 else { throw .badExtensionValue(id: id, reason: "abs-send-time is 3 bytes, not \(value.count)") }
        self.init(rawValue: value.uint24(at: 0))
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.append24(rawValue)
        return out
    }

    /// The time within the 64-second period the value wraps at.
    public var timeModulo64Seconds: Duration { NTPTimestamp.duration(fraction: UInt64(rawValue), bits: 18) }
}

/// The transport-wide sequence number header extension value
/// (`http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01`): a 16-bit
/// counter shared by every stream on the transport, which transport-wide CC feedback refers to.
public struct TransportSequenceNumber: Hashable, Sendable {
    public var rawValue: UInt16

    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Reads the 2-byte extension value.
    public init(parsing value: [UInt8], id: UInt8 = 0) throws(RTPError) {
        guard value.count == 2 else { throw .badExtensionValue(id: id, reason: "transport-wide sequence number is 2 bytes, not \(value.count)") }
        rawValue = value.uint16(at: 0)
    }

    public var bytes: [UInt8] { [UInt8(rawValue >> 8), UInt8(rawValue & 0xFF)] }
}

extension HeaderExtension {
    public static func absoluteSendTime(id: UInt8, _ time: AbsoluteSendTime) -> HeaderExtension {
        HeaderExtension(id: id, value: time.bytes)
    }

    public static func transportSequenceNumber(id: UInt8, _ number: TransportSequenceNumber) -> HeaderExtension {
        HeaderExtension(id: id, value: number.bytes)
    }
}
