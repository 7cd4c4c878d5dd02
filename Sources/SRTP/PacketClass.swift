/// What a datagram on a shared WebRTC socket carries, told apart by its first byte (RFC 7983 §7)
/// and, for RTP versus RTCP, by the payload type (RFC 5761 §4).
public enum PacketClass: Sendable, Equatable {
    /// First byte 0–3.
    case stun
    /// First byte 20–63.
    case dtls
    /// First byte 128–191 and a second byte outside 192–223.
    case rtp
    /// First byte 128–191 and a second byte (marker bit + payload type) in 192–223:
    /// RTCP packet types 200–207 land there, RTP payload types (0–127, plus marker) do not clash.
    case rtcp
    /// Anything else (ZRTP, TURN channels, garbage): dropped.
    case unknown

    /// Classifies one datagram without copying it.
    public static func classify(_ datagram: some Collection<UInt8>) -> PacketClass {
        guard let first = datagram.first else { return .unknown }
        switch first {
        case 0...3: return .stun
        case 20...63: return .dtls
        case 128...191:
            let second = datagram.dropFirst().first
            guard let second else { return .unknown }
            return (192...223).contains(second) ? .rtcp : .rtp
        default: return .unknown
        }
    }
}
