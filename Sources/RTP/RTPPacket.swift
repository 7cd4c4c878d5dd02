/// One RTP packet (RFC 3550 §5.1) with its RFC 8285 header extensions.
///
/// Parsing keeps what the header says, not how it was laid out: serializing writes header
/// extensions in the one-byte form whenever every element fits it (what browsers expect unless
/// `a=extmap-allow-mixed` was negotiated), the two-byte form otherwise, and padding as zeros
/// followed by the count. So parse → serialize → parse gives an equal packet, not always equal bytes.
public struct RTPPacket: Equatable, Sendable {
    /// The marker bit; for video, set on the last packet of a frame (RFC 7741 §4.1).
    public var marker: Bool
    /// The 7-bit payload type.
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// Contributing sources, at most 15.
    public var csrcs: [UInt32]
    /// RFC 8285 header extension elements, in packet order.
    public var headerExtensions: [HeaderExtension]
    /// An RFC 3550 §5.3.1 extension of a profile other than RFC 8285's, kept opaque.
    /// A packet carries at most one extension block, so this and `headerExtensions` are exclusive.
    public var opaqueExtension: OpaqueHeaderExtension?
    public var payload: [UInt8]
    /// Padding bytes after the payload, the count byte included; 0 for none (P bit clear).
    public var paddingLength: UInt8

    public init(marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                csrcs: [UInt32] = [], headerExtensions: [HeaderExtension] = [],
                opaqueExtension: OpaqueHeaderExtension? = nil, payload: [UInt8], paddingLength: UInt8 = 0) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtensions = headerExtensions
        self.opaqueExtension = opaqueExtension
        self.payload = payload
        self.paddingLength = paddingLength
    }

    /// The profile word of RFC 8285's one-byte header form (§4.2).
    static let oneByteProfile: UInt16 = 0xBEDE
    /// The two-byte form's profile is 0x100 followed by 4 application bits (§4.3).
    static let twoByteProfileMask: UInt16 = 0xFFF0
    static let twoByteProfile: UInt16 = 0x1000

    /// Parses one RTP packet from a whole (decrypted) datagram.
    public init(parsing input: some Collection<UInt8>) throws(RTPError) {
        let bytes = Array(input)
        guard bytes.count >= 12 else { throw .truncatedHeader(available: bytes.count) }
        let version = bytes[0] >> 6
        guard version == 2 else { throw .badVersion(version) }
        let hasPadding = bytes[0] & 0x20 != 0
        let hasExtension = bytes[0] & 0x10 != 0
        let csrcCount = Int(bytes[0] & 0x0F)
        marker = bytes[1] & 0x80 != 0
        payloadType = bytes[1] & 0x7F
        sequenceNumber = bytes.uint16(at: 2)
        timestamp = bytes.uint32(at: 4)
        ssrc = bytes.uint32(at: 8)

        var offset = 12
        guard bytes.count - offset >= 4 * csrcCount else {
            throw .truncatedCSRC(count: csrcCount, available: (bytes.count - offset) / 4)
        }
        csrcs = (0..<csrcCount).map { bytes.uint32(at: offset + 4 * $0) }
        offset += 4 * csrcCount

        headerExtensions = []
        opaqueExtension = nil
        if hasExtension {
            guard bytes.count - offset >= 4 else { throw .truncatedExtension(needed: 4, available: bytes.count - offset) }
            let profile = bytes.uint16(at: offset)
            let length = 4 * Int(bytes.uint16(at: offset + 2))
            offset += 4
            guard bytes.count - offset >= length else { throw .truncatedExtension(needed: length, available: bytes.count - offset) }
            let block = offset..<offset + length
            if profile == Self.oneByteProfile {
                headerExtensions = try Self.parseOneByte(bytes, block)
            } else if profile & Self.twoByteProfileMask == Self.twoByteProfile {
                headerExtensions = try Self.parseTwoByte(bytes, block)
            } else {
                opaqueExtension = OpaqueHeaderExtension(profile: profile, data: Array(bytes[block]))
            }
            offset += length
        }

        var end = bytes.count
        paddingLength = 0
        if hasPadding {
            let count = Int(bytes[bytes.count - 1])
            guard count > 0, count <= bytes.count - offset else { throw .badPadding(count: count, available: bytes.count - offset) }
            paddingLength = UInt8(count)
            end -= count
        }
        payload = Array(bytes[offset..<end])
    }

    /// RFC 8285 §4.2: a 4-bit id and 4-bit length-minus-one per element; id 0 is a padding byte and
    /// id 15 ends processing of the block.
    private static func parseOneByte(_ bytes: [UInt8], _ block: Range<Int>) throws(RTPError) -> [HeaderExtension] {
        var elements: [HeaderExtension] = []
        var offset = block.lowerBound
        while offset < block.upperBound {
            let id = bytes[offset] >> 4
            if id == 0 { offset += 1; continue }
            if id == 15 { break }
            let length = Int(bytes[offset] & 0x0F) + 1
            offset += 1
            guard block.upperBound - offset >= length else {
                throw .truncatedExtension(needed: length, available: block.upperBound - offset)
            }
            elements.append(HeaderExtension(id: id, value: Array(bytes[offset..<offset + length])))
            offset += length
        }
        return elements
    }

    /// RFC 8285 §4.3: an 8-bit id and 8-bit length per element; a zero id byte is padding.
    private static func parseTwoByte(_ bytes: [UInt8], _ block: Range<Int>) throws(RTPError) -> [HeaderExtension] {
        var elements: [HeaderExtension] = []
        var offset = block.lowerBound
        while offset < block.upperBound {
            let id = bytes[offset]
            if id == 0 { offset += 1; continue }
            guard block.upperBound - offset >= 2 else { throw .truncatedExtension(needed: 2, available: block.upperBound - offset) }
            let length = Int(bytes[offset + 1])
            offset += 2
            guard block.upperBound - offset >= length else {
                throw .truncatedExtension(needed: length, available: block.upperBound - offset)
            }
            elements.append(HeaderExtension(id: id, value: Array(bytes[offset..<offset + length])))
            offset += length
        }
        return elements
    }

    /// The packet's bytes.
    ///
    /// - Precondition: at most 15 CSRCs; a payload type below 128; extension ids 1–255 with values of at
    ///   most 255 bytes; an opaque extension's data whole words and no RFC 8285 elements beside it; an
    ///   extension block of at most 65535 words.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    /// Appends the packet's bytes to `out` (see ``bytes`` for the preconditions).
    public func serialize(into out: inout [UInt8]) {
        precondition(csrcs.count <= 15, "an RTP header holds at most 15 CSRCs")
        precondition(payloadType < 128, "the payload type has 7 bits")
        precondition(headerExtensions.isEmpty || opaqueExtension == nil, "a packet carries one extension block")
        let hasExtension = !headerExtensions.isEmpty || opaqueExtension != nil
        out.reserveCapacity(out.count + 12 + 4 * csrcs.count + payload.count + Int(paddingLength) + (hasExtension ? 32 : 0))
        out.append(0x80 | (paddingLength > 0 ? 0x20 : 0) | (hasExtension ? 0x10 : 0) | UInt8(csrcs.count))
        out.append((marker ? 0x80 : 0) | payloadType)
        out.append16(sequenceNumber)
        out.append32(timestamp)
        out.append32(ssrc)
        for csrc in csrcs { out.append32(csrc) }

        if let opaqueExtension {
            precondition(opaqueExtension.data.count % 4 == 0 && opaqueExtension.data.count <= 4 * 0xFFFF,
                         "an extension block is at most 65535 whole 32-bit words")
            out.append16(opaqueExtension.profile)
            out.append16(UInt16(opaqueExtension.data.count / 4))
            out += opaqueExtension.data
        } else if !headerExtensions.isEmpty {
            let oneByte = headerExtensions.allSatisfy { (1...14).contains($0.id) && (1...16).contains($0.value.count) }
            out.append16(oneByte ? Self.oneByteProfile : Self.twoByteProfile)
            let lengthOffset = out.count
            out.append16(0)
            let start = out.count
            for element in headerExtensions {
                if oneByte {
                    out.append(element.id << 4 | UInt8(element.value.count - 1))
                } else {
                    precondition(element.id != 0 && element.value.count <= 255, "two-byte extension ids are 1–255, values at most 255 bytes")
                    out.append(element.id)
                    out.append(UInt8(element.value.count))
                }
                out += element.value
            }
            out.padToWord()
            precondition(out.count - start <= 4 * 0xFFFF, "an extension block is at most 65535 words")
            let words = UInt16((out.count - start) / 4)
            out[lengthOffset] = UInt8(words >> 8)
            out[lengthOffset + 1] = UInt8(words & 0xFF)
        }

        out += payload
        if paddingLength > 0 {
            out.append(contentsOf: repeatElement(0, count: Int(paddingLength) - 1))
            out.append(paddingLength)
        }
    }

    /// The first header extension element with `id`.
    public func headerExtension(id: UInt8) -> HeaderExtension? {
        headerExtensions.first { $0.id == id }
    }

    /// Replaces every element with `element.id` by `element`, or appends it.
    public mutating func setHeaderExtension(_ element: HeaderExtension) {
        headerExtensions.removeAll { $0.id == element.id }
        headerExtensions.append(element)
    }
}

/// One RFC 8285 header extension element: the id negotiated by `a=extmap` and its value.
public struct HeaderExtension: Hashable, Sendable {
    /// 1–14 fit the one-byte form; 1–255 the two-byte form.
    public var id: UInt8
    /// 1–16 bytes fit the one-byte form; 0–255 the two-byte form.
    public var value: [UInt8]

    public init(id: UInt8, value: [UInt8]) {
        self.id = id
        self.value = value
    }
}

/// A header extension block under a profile RFC 8285 does not define (RFC 3550 §5.3.1).
public struct OpaqueHeaderExtension: Hashable, Sendable {
    /// The 16-bit "defined by profile" word.
    public var profile: UInt16
    /// The extension's words, without the profile and length.
    public var data: [UInt8]

    public init(profile: UInt16, data: [UInt8]) {
        self.profile = profile
        self.data = data
    }
}
