/// Why an RTP payload is not an acceptable VP8 payload (RFC 7741).
public enum VP8Error: Error, Equatable, Sendable {
    /// The payload ended inside the payload descriptor; `field` names what was missing.
    case truncatedDescriptor(field: String)
    /// The first packet of a frame carries no VP8 payload header byte, so the frame type is unknown.
    case emptyFrameStart
}

/// The VP8 payload descriptor that opens every VP8 RTP payload (RFC 7741 §4.2):
///
/// ```
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |X|R|N|S|R| PID | (REQUIRED)
///      +-+-+-+-+-+-+-+-+
/// X:   |I|L|T|K| RSV   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// I:   |M| PictureID   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
///      |   PictureID   | (OPTIONAL, if M)
///      +-+-+-+-+-+-+-+-+
/// L:   |   TL0PICIDX   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// T/K: |TID|Y| KEYIDX  | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// ```
///
/// Reserved bits are written as zero and ignored when read. The extension byte is written only when one
/// of I, L, T, K is set, so an empty extension byte read from the wire does not survive a round trip.
public struct PayloadDescriptor: Hashable, Sendable {
    /// N: the frame can be discarded without affecting any other frame.
    public var isNonReference: Bool
    /// S: the packet starts a VP8 partition (with `partitionIndex` 0: starts the frame).
    public var isStartOfPartition: Bool
    /// PID: the partition the packet's first byte belongs to, 0–7.
    public var partitionIndex: UInt8
    /// I: the picture id, in its 7- or 15-bit form.
    public var pictureID: PictureID?
    /// L: the temporal-layer-zero picture index.
    public var tl0PictureIndex: UInt8?
    /// T: the temporal layer index, 0–3.
    public var temporalLayerID: UInt8?
    /// Y: the frame depends only on the base layer since the last base layer frame (meaningful with T only;
    /// read as false when T is clear).
    public var isLayerSync: Bool
    /// K: the temporal key frame index, 0–31.
    public var keyIndex: UInt8?

    /// A picture id (RFC 7741 §4.2, M bit): 7 bits, or 15 bits when M is set.
    public enum PictureID: Hashable, Sendable {
        case short(UInt8)
        case long(UInt16)

        /// The id's value, whichever form it has.
        public var value: UInt16 {
            switch self {
            case .short(let id): UInt16(id)
            case .long(let id): id
            }
        }
    }

    public init(isNonReference: Bool = false, isStartOfPartition: Bool, partitionIndex: UInt8 = 0, pictureID: PictureID? = nil,
                tl0PictureIndex: UInt8? = nil, temporalLayerID: UInt8? = nil, isLayerSync: Bool = false, keyIndex: UInt8? = nil) {
        self.isNonReference = isNonReference
        self.isStartOfPartition = isStartOfPartition
        self.partitionIndex = partitionIndex
        self.pictureID = pictureID
        self.tl0PictureIndex = tl0PictureIndex
        self.temporalLayerID = temporalLayerID
        self.isLayerSync = isLayerSync
        self.keyIndex = keyIndex
    }

    /// Parses the descriptor at the start of `payload`; what follows it is VP8 data and not read.
    public init(parsing payload: some Collection<UInt8>) throws(VP8Error) {
        // A descriptor is at most 6 bytes: the first, the extension, two of PictureID, TL0PICIDX, TID/Y/KEYIDX.
        self = try Self.parse(Array(payload.prefix(6))).descriptor
    }

    /// Splits an RTP payload into its descriptor and the VP8 data after it.
    public static func split(_ payload: [UInt8]) throws(VP8Error) -> (descriptor: PayloadDescriptor, data: ArraySlice<UInt8>) {
        let (descriptor, length) = try parse(payload)
        return (descriptor, payload[length...])
    }

    private static func parse(_ bytes: [UInt8]) throws(VP8Error) -> (descriptor: PayloadDescriptor, length: Int) {
        var offset = 0
        func next(_ field: String) throws(VP8Error) -> UInt8 {
            guard offset < bytes.count else { throw .truncatedDescriptor(field: field) }
            offset += 1
            return bytes[offset - 1]
        }
        let first = try next("first byte")
        var descriptor = PayloadDescriptor(isNonReference: first & 0x20 != 0, isStartOfPartition: first & 0x10 != 0,
                                           partitionIndex: first & 0x07)
        guard first & 0x80 != 0 else { return (descriptor, offset) }

        let flags = try next("I/L/T/K")
        if flags & 0x80 != 0 {
            let high = try next("PictureID")
            descriptor.pictureID = high & 0x80 != 0 ? .long(UInt16(high & 0x7F) << 8 | UInt16(try next("PictureID low byte"))) : .short(high)
        }
        if flags & 0x40 != 0 { descriptor.tl0PictureIndex = try next("TL0PICIDX") }
        if flags & 0x30 != 0 {
            let byte = try next("TID/Y/KEYIDX")
            if flags & 0x20 != 0 {
                descriptor.temporalLayerID = byte >> 6
                descriptor.isLayerSync = byte & 0x20 != 0
            }
            if flags & 0x10 != 0 { descriptor.keyIndex = byte & 0x1F }
        }
        return (descriptor, offset)
    }

    /// The descriptor's bytes.
    ///
    /// - Precondition: fields within their widths: PID 0–7, a short picture id below 128 and a long one below
    ///   32768, TID 0–3, KEYIDX 0–31.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    /// The descriptor's length in bytes.
    public var length: Int {
        guard hasExtension else { return 1 }
        var length = 2
        switch pictureID {
        case .short?: length += 1
        case .long?: length += 2
        case nil: break
        }
        if tl0PictureIndex != nil { length += 1 }
        if temporalLayerID != nil || keyIndex != nil { length += 1 }
        return length
    }

    private var hasExtension: Bool {
        pictureID != nil || tl0PictureIndex != nil || temporalLayerID != nil || keyIndex != nil
    }

    /// Appends the descriptor's bytes to `out` (see ``bytes`` for the preconditions).
    public func serialize(into out: inout [UInt8]) {
        precondition(partitionIndex < 8, "PID has 3 bits")
        out.append((hasExtension ? 0x80 : 0) | (isNonReference ? 0x20 : 0) | (isStartOfPartition ? 0x10 : 0) | partitionIndex)
        guard hasExtension else { return }
        out.append((pictureID != nil ? 0x80 : 0) | (tl0PictureIndex != nil ? 0x40 : 0)
            | (temporalLayerID != nil ? 0x20 : 0) | (keyIndex != nil ? 0x10 : 0))
        switch pictureID {
        case .short(let id)?:
            precondition(id < 0x80, "a short PictureID has 7 bits")
            out.append(id)
        case .long(let id)?:
            precondition(id < 0x8000, "a long PictureID has 15 bits")
            out.append(0x80 | UInt8(id >> 8))
            out.append(UInt8(id & 0xFF))
        case nil: break
        }
        if let tl0PictureIndex { out.append(tl0PictureIndex) }
        if temporalLayerID != nil || keyIndex != nil {
            let tid = temporalLayerID ?? 0
            let key = keyIndex ?? 0
            precondition(tid < 4 && key < 32, "TID has 2 bits, KEYIDX 5")
            out.append(tid << 6 | (temporalLayerID != nil && isLayerSync ? 0x20 : 0) | key)
        }
    }
}
