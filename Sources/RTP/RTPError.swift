/// Why bytes are not an acceptable RTP or RTCP packet, or a header extension value is malformed.
public enum RTPError: Error, Equatable, Sendable {
    /// Fewer than the 12 bytes of the fixed RTP header.
    case truncatedHeader(available: Int)
    /// The version field was not 2.
    case badVersion(UInt8)
    /// The CSRC count promised more identifiers than the packet holds.
    case truncatedCSRC(count: Int, available: Int)
    /// The header extension's length runs past the packet, or an element runs past the extension.
    case truncatedExtension(needed: Int, available: Int)
    /// The padding count is zero or larger than what follows the header (RFC 3550 §5.1).
    case badPadding(count: Int, available: Int)
    /// A header extension value with the wrong size for what it claims to be.
    case badExtensionValue(id: UInt8, reason: String)

    /// An RTCP packet's header (4 bytes) or fixed part does not fit in what is left of the compound.
    case truncatedRTCP(offset: Int, needed: Int, available: Int)
    /// An RTCP packet's length field promises more bytes than the compound holds, or is zero where a
    /// body is required.
    case badRTCPLength(offset: Int, length: Int, available: Int)
    /// A known RTCP packet type whose body is malformed.
    case badRTCP(type: UInt8, reason: String)
}
