import Crypto

// Limits from RFC 8489 §14: USERNAME < 513 bytes, REALM/NONCE/SOFTWARE < 128 characters
// (at most 763 bytes of UTF-8). Larger values are malformed, not merely unusual.
private let maxUsernameBytes = 513
private let maxTextBytes = 763

extension Message {
    /// Parses one STUN message from a whole datagram.
    ///
    /// Checks the header (RFC 8489 §6), every attribute's bounds and padding, the values of the
    /// attributes it knows, attribute order around MESSAGE-INTEGRITY and FINGERPRINT, and the
    /// FINGERPRINT value when present. It never traps on malformed input.
    public init(parsing input: some Collection<UInt8>) throws(STUNError) {
        let bytes = Array(input)
        guard bytes.count >= Self.headerLength else {
            throw .truncated(needed: Self.headerLength, available: bytes.count)
        }
        guard bytes[0] & 0xC0 == 0, UInt32(bigEndianBytes: bytes[4..<8]) == Self.magicCookie else { throw .notSTUN }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length % 4 == 0, Self.headerLength + length == bytes.count else { throw .badLength(length) }

        let type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let transactionID = TransactionID(uncheckedBytes: Array(bytes[8..<20]))
        self.init(method: STUNMethod(messageType: type), class: STUNClass(messageType: type), transactionID: transactionID)
        self.raw = bytes

        var offset = Self.headerLength
        // After MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count; others are ignored (§14.5).
        var ignoreRest = false
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .truncated(needed: 4, available: bytes.count - offset) }
            let attributeType = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let valueLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let valueStart = offset + 4
            let padded = (valueLength + 3) & ~3
            guard valueStart + padded <= bytes.count else { throw .attributeTruncated(type: attributeType) }
            let value = bytes[valueStart..<valueStart + valueLength]

            if hasFingerprint { throw .attributeAfterFingerprint(type: attributeType) }
            switch attributeType {
            case AttributeType.messageIntegrity:
                guard valueLength == 20 else { throw .badAttribute(type: attributeType, reason: "MESSAGE-INTEGRITY must be 20 bytes") }
                if messageIntegrityOffset == nil && messageIntegritySHA256Offset == nil { messageIntegrityOffset = offset }
                ignoreRest = true
            case AttributeType.messageIntegritySHA256:
                guard valueLength >= 16, valueLength <= 32, valueLength % 4 == 0 else {
                    throw .badAttribute(type: attributeType, reason: "MESSAGE-INTEGRITY-SHA256 must be 16–32 bytes, a multiple of 4")
                }
                if messageIntegritySHA256Offset == nil { messageIntegritySHA256Offset = offset }
                ignoreRest = true
            case AttributeType.fingerprint:
                guard valueLength == 4 else { throw .badAttribute(type: attributeType, reason: "FINGERPRINT must be 4 bytes") }
                let expected = crc32(bytes[0..<offset], lengthOverride: offset + 8 - Self.headerLength) ^ 0x5354_554E
                guard UInt32(bigEndianBytes: value) == expected else { throw .badFingerprint }
                hasFingerprint = true
            default:
                if !ignoreRest {
                    if let attribute = try Self.decodeAttribute(type: attributeType, value: value, transactionID: transactionID) {
                        attributes.append(attribute)
                    } else if attributeType < 0x8000 {
                        unknownComprehensionRequired.append(attributeType)
                    }
                }
            }
            offset = valueStart + padded
        }
    }

    /// Decodes a known attribute; `nil` for a type this codec does not interpret, which is kept as `.other`
    /// only when comprehension-optional (the caller reports comprehension-required ones).
    private static func decodeAttribute(type: UInt16, value: ArraySlice<UInt8>, transactionID: TransactionID) throws(STUNError) -> Attribute? {
        func text(limit: Int) throws(STUNError) -> String {
            guard value.count <= limit else { throw .badAttribute(type: type, reason: "longer than \(limit) bytes") }
            guard let string = String(validating: value, as: UTF8.self) else { throw .badAttribute(type: type, reason: "not UTF-8") }
            return string
        }
        func exact(_ count: Int) throws(STUNError) {
            guard value.count == count else { throw .badAttribute(type: type, reason: "must be \(count) bytes, is \(value.count)") }
        }
        switch type {
        case AttributeType.mappedAddress:
            return .mappedAddress(try decodeAddress(type: type, value: value, xor: nil))
        case AttributeType.xorMappedAddress:
            return .xorMappedAddress(try decodeAddress(type: type, value: value, xor: transactionID))
        case AttributeType.username: return .username(try text(limit: maxUsernameBytes))
        case AttributeType.realm: return .realm(try text(limit: maxTextBytes))
        case AttributeType.nonce: return .nonce(try text(limit: maxTextBytes))
        case AttributeType.software: return .software(try text(limit: maxTextBytes))
        case AttributeType.errorCode:
            guard value.count >= 4 else { throw .badAttribute(type: type, reason: "ERROR-CODE shorter than 4 bytes") }
            let base = value.startIndex
            let errorClass = Int(value[base + 2] & 0x07), number = Int(value[base + 3])
            guard (3...6).contains(errorClass), number < 100 else {
                throw .badAttribute(type: type, reason: "error code \(errorClass * 100 + number) outside 300–699")
            }
            guard let reason = String(validating: value.dropFirst(4), as: UTF8.self), value.count - 4 <= maxTextBytes else {
                throw .badAttribute(type: type, reason: "reason phrase not UTF-8 or too long")
            }
            return .errorCode(ErrorCode(code: errorClass * 100 + number, reason: reason))
        case AttributeType.unknownAttributes:
            guard value.count % 2 == 0 else { throw .badAttribute(type: type, reason: "odd length") }
            return .unknownAttributes(stride(from: value.startIndex, to: value.endIndex, by: 2).map { UInt16(value[$0]) << 8 | UInt16(value[$0 + 1]) })
        case AttributeType.priority:
            try exact(4)
            return .priority(UInt32(bigEndianBytes: value))
        case AttributeType.useCandidate:
            try exact(0)
            return .useCandidate
        case AttributeType.iceControlled:
            try exact(8)
            return .iceControlled(tieBreaker: UInt64(bigEndianBytes: value))
        case AttributeType.iceControlling:
            try exact(8)
            return .iceControlling(tieBreaker: UInt64(bigEndianBytes: value))
        default:
            return type >= 0x8000 ? .other(type: type, value: Array(value)) : nil
        }
    }

    private static func decodeAddress(type: UInt16, value: ArraySlice<UInt8>, xor transactionID: TransactionID?) throws(STUNError) -> TransportAddress {
        guard value.count >= 4 else { throw .badAttribute(type: type, reason: "address shorter than 4 bytes") }
        let base = value.startIndex
        let family = value[base + 1]
        let addressLength: Int
        switch family {
        case 0x01: addressLength = 4
        case 0x02: addressLength = 16
        default: throw .badAttribute(type: type, reason: "unknown address family \(family)")
        }
        guard value.count == 4 + addressLength else { throw .badAttribute(type: type, reason: "address length \(value.count) for family \(family)") }
        var port = UInt16(value[base + 2]) << 8 | UInt16(value[base + 3])
        var address = Array(value[(base + 4)...])
        if let transactionID {
            port ^= UInt16(Message.magicCookie >> 16)
            let mask = xorMask(transactionID)
            for i in address.indices { address[i] ^= mask[i] }
        }
        return TransportAddress(ip: IPAddress(bytes: address)!, port: port)
    }

    /// The cookie followed by the transaction id: what X-Port/X-Address are XORed with (RFC 8489 §14.2).
    private static func xorMask(_ transactionID: TransactionID) -> [UInt8] {
        [0x21, 0x12, 0xA4, 0x42] + transactionID.bytes
    }

    // MARK: Encoding

    /// Serializes the message, appending MESSAGE-INTEGRITY(-SHA256) when `integrity` is given and
    /// FINGERPRINT when `fingerprint` is true, each computed as RFC 8489 §14.5–14.7 prescribe.
    public func encode(integrity: MessageIntegrity? = nil, fingerprint: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128)
        let m = method.rawValue, c = UInt16(messageClass.rawValue)
        let type = (m & 0x000F) | (m & 0x0070) << 1 | (m & 0x0F80) << 2 | (c & 0x01) << 4 | (c & 0x02) << 7
        out.appendBigEndian(type)
        out.appendBigEndian(UInt16(0))  // length, patched below
        out.appendBigEndian(Self.magicCookie)
        out += transactionID.bytes
        for attribute in attributes { Self.encodeAttribute(attribute, transactionID: transactionID, into: &out) }

        func setLength(_ length: Int) {
            out[2] = UInt8(truncatingIfNeeded: length >> 8)
            out[3] = UInt8(truncatingIfNeeded: length)
        }
        // Each integrity value covers the message up to itself, with the length field already
        // counting that attribute (§14.5), so the length is patched before every computation.
        func appendHMAC<H: HashFunction>(_ hash: H.Type, type: UInt16, key: [UInt8]) {
            setLength(out.count - Self.headerLength + 4 + H.Digest.byteCount)
            let mac = HMAC<H>.authenticationCode(for: out, using: SymmetricKey(data: key))
            out.appendBigEndian(type)
            out.appendBigEndian(UInt16(H.Digest.byteCount))
            out += mac
        }
        switch integrity {
        case .sha1(let key)?: appendHMAC(Insecure.SHA1.self, type: AttributeType.messageIntegrity, key: key)
        case .sha256(let key)?: appendHMAC(SHA256.self, type: AttributeType.messageIntegritySHA256, key: key)
        case .both(let key)?:
            appendHMAC(Insecure.SHA1.self, type: AttributeType.messageIntegrity, key: key)
            appendHMAC(SHA256.self, type: AttributeType.messageIntegritySHA256, key: key)
        case nil: break
        }
        if fingerprint {
            setLength(out.count - Self.headerLength + 8)
            let crc = crc32(out[...], lengthOverride: nil) ^ 0x5354_554E
            out.appendBigEndian(AttributeType.fingerprint)
            out.appendBigEndian(UInt16(4))
            out.appendBigEndian(crc)
        }
        setLength(out.count - Self.headerLength)
        return out
    }

    private static func encodeAttribute(_ attribute: Attribute, transactionID: TransactionID, into out: inout [UInt8]) {
        func put(_ value: [UInt8]) {
            out.appendBigEndian(attribute.type)
            out.appendBigEndian(UInt16(value.count))
            out += value
            out += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        func address(_ address: TransportAddress, xor: Bool) -> [UInt8] {
            var port = address.port
            var ip = address.ip.bytes
            if xor {
                port ^= UInt16(magicCookie >> 16)
                let mask = xorMask(transactionID)
                for i in ip.indices { ip[i] ^= mask[i] }
            }
            return [0, address.ip.isIPv4 ? 0x01 : 0x02, UInt8(port >> 8), UInt8(port & 0xFF)] + ip
        }
        switch attribute {
        case .mappedAddress(let a): put(address(a, xor: false))
        case .xorMappedAddress(let a): put(address(a, xor: true))
        case .username(let s), .realm(let s), .nonce(let s), .software(let s): put(Array(s.utf8))
        case .errorCode(let e): put([0, 0, UInt8(e.code / 100), UInt8(e.code % 100)] + Array(e.reason.utf8))
        case .unknownAttributes(let types): put(types.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        case .priority(let p): put(p.bigEndianBytes)
        case .useCandidate: put([])
        case .iceControlled(let t), .iceControlling(let t): put(t.bigEndianBytes)
        case .other(_, let value): put(value)
        }
    }

    // MARK: Integrity

    /// Checks MESSAGE-INTEGRITY-SHA256 if the message carries it, otherwise MESSAGE-INTEGRITY,
    /// with `key` (the ICE password's bytes for short-term credentials). False when neither is present.
    public func verifyIntegrity(key: [UInt8]) -> Bool {
        if let offset = messageIntegritySHA256Offset {
            return verify(SHA256.self, at: offset, key: key)
        }
        if let offset = messageIntegrityOffset {
            return verify(Insecure.SHA1.self, at: offset, key: key)
        }
        return false
    }

    private func verify<H: HashFunction>(_ hash: H.Type, at offset: Int, key: [UInt8]) -> Bool {
        let macLength = Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
        var covered = Array(raw[0..<offset])
        let length = offset + 4 + macLength - Self.headerLength
        covered[2] = UInt8(length >> 8)
        covered[3] = UInt8(length & 0xFF)
        let mac = HMAC<H>.authenticationCode(for: covered, using: SymmetricKey(data: key))
        let received = raw[(offset + 4)..<(offset + 4 + macLength)]
        // Constant-time comparison of the (possibly truncated) MAC.
        var difference: UInt8 = 0
        for (a, b) in zip(mac.prefix(macLength), received) { difference |= a ^ b }
        return difference == 0
    }

    /// The long-term credential key, MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).
    /// The inputs must already be OpaqueString-prepared.
    public static func longTermKey(username: String, realm: String, password: String) -> [UInt8] {
        Array(Insecure.MD5.hash(data: Array("\(username):\(realm):\(password)".utf8)))
    }
}

/// CRC-32 (ISO-HDLC, as FINGERPRINT uses), over `bytes`; `lengthOverride` replaces the header's
/// length field for the computation, since FINGERPRINT covers a header that already counts it.
func crc32(_ bytes: ArraySlice<UInt8>, lengthOverride: Int?) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for (i, var byte) in bytes.enumerated() {
        if let lengthOverride, i == 2 || i == 3 {
            byte = i == 2 ? UInt8(truncatingIfNeeded: lengthOverride >> 8) : UInt8(truncatingIfNeeded: lengthOverride)
        }
        crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return crc ^ 0xFFFF_FFFF
}

private let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

extension FixedWidthInteger {
    var bigEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }
}
