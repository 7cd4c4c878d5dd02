/// Why a datagram is not an acceptable STUN message.
public enum STUNError: Error, Equatable, Sendable {
    /// Fewer bytes than the header or a header field promised.
    case truncated(needed: Int, available: Int)
    /// The first two bits were not zero, or the magic cookie was wrong: not STUN at all.
    case notSTUN
    /// The header's length is not a multiple of 4 or disagrees with the datagram.
    case badLength(Int)
    /// An attribute's value does not fit inside the message.
    case attributeTruncated(type: UInt16)
    /// A known attribute whose value is malformed (wrong size, bad family, bad UTF-8, …).
    case badAttribute(type: UInt16, reason: String)
    /// An attribute other than FINGERPRINT followed FINGERPRINT (RFC 8489 §14.7).
    case attributeAfterFingerprint(type: UInt16)
    /// The FINGERPRINT value does not match the message.
    case badFingerprint
}

/// The 12-bit STUN method (RFC 8489 §5).
public struct STUNMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    public static let binding = STUNMethod(rawValue: 0x001)

    /// The method bits M0–M11 of a message type, where they are interleaved with the class bits.
    init(messageType type: UInt16) {
        self.init(rawValue: (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2)
    }

    public var description: String { self == .binding ? "Binding" : "Method(0x\(String(rawValue, radix: 16)))" }
}

/// The message class, encoded in bits C1 and C0 of the message type.
public enum STUNClass: UInt8, Sendable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11

    /// The class bits C0 (bit 4) and C1 (bit 8) of a message type.
    init(messageType type: UInt16) {
        switch (type & 0x0010) >> 4 | (type & 0x0100) >> 7 {
        case 0b00: self = .request
        case 0b01: self = .indication
        case 0b10: self = .successResponse
        default: self = .errorResponse
        }
    }
}

/// The 96-bit transaction id that pairs a response with its request.
public struct TransactionID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Exactly 12 bytes, or `nil`.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        self.bytes = bytes
    }

    /// A fresh, cryptographically random id (RFC 8489 §5: "uniformly and randomly chosen").
    public static func random() -> TransactionID {
        var rng = SystemRandomNumberGenerator()
        return TransactionID(uncheckedBytes: (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    public var description: String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
}

/// STUN ERROR-CODE value: a 300–699 code and a reason phrase.
public struct ErrorCode: Hashable, Sendable {
    public var code: Int
    public var reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let tryAlternate = ErrorCode(code: 300, reason: "Try Alternate")
    public static let badRequest = ErrorCode(code: 400, reason: "Bad Request")
    public static let unauthenticated = ErrorCode(code: 401, reason: "Unauthenticated")
    public static let unknownAttribute = ErrorCode(code: 420, reason: "Unknown Attribute")
    public static let staleNonce = ErrorCode(code: 438, reason: "Stale Nonce")
    /// RFC 8445 §7.3.1.1: both agents claimed the same role.
    public static let roleConflict = ErrorCode(code: 487, reason: "Role Conflict")
    public static let serverError = ErrorCode(code: 500, reason: "Server Error")
}

/// Attribute type codes (RFC 8489 §18.3, RFC 8445 §16.1).
public enum AttributeType {
    public static let mappedAddress: UInt16 = 0x0001
    public static let username: UInt16 = 0x0006
    public static let messageIntegrity: UInt16 = 0x0008
    public static let errorCode: UInt16 = 0x0009
    public static let unknownAttributes: UInt16 = 0x000A
    public static let realm: UInt16 = 0x0014
    public static let nonce: UInt16 = 0x0015
    public static let messageIntegritySHA256: UInt16 = 0x001C
    public static let userhash: UInt16 = 0x001E
    public static let xorMappedAddress: UInt16 = 0x0020
    public static let priority: UInt16 = 0x0024
    public static let useCandidate: UInt16 = 0x0025
    public static let software: UInt16 = 0x8022
    public static let alternateServer: UInt16 = 0x8023
    public static let fingerprint: UInt16 = 0x8028
    public static let iceControlled: UInt16 = 0x8029
    public static let iceControlling: UInt16 = 0x802A
}

/// One STUN attribute. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are not
/// attributes here: they are computed when encoding and checked after parsing.
public enum Attribute: Hashable, Sendable {
    case mappedAddress(TransportAddress)
    case xorMappedAddress(TransportAddress)
    case username(String)
    case realm(String)
    case nonce(String)
    case errorCode(ErrorCode)
    case unknownAttributes([UInt16])
    case software(String)
    case priority(UInt32)
    case useCandidate
    case iceControlled(tieBreaker: UInt64)
    case iceControlling(tieBreaker: UInt64)
    /// Any attribute this codec does not interpret, kept verbatim.
    case other(type: UInt16, value: [UInt8])

    /// The attribute's type code.
    public var type: UInt16 {
        switch self {
        case .mappedAddress: AttributeType.mappedAddress
        case .xorMappedAddress: AttributeType.xorMappedAddress
        case .username: AttributeType.username
        case .realm: AttributeType.realm
        case .nonce: AttributeType.nonce
        case .errorCode: AttributeType.errorCode
        case .unknownAttributes: AttributeType.unknownAttributes
        case .software: AttributeType.software
        case .priority: AttributeType.priority
        case .useCandidate: AttributeType.useCandidate
        case .iceControlled: AttributeType.iceControlled
        case .iceControlling: AttributeType.iceControlling
        case .other(let type, _): type
        }
    }
}

/// How a message is authenticated when it is encoded.
public enum MessageIntegrity: Sendable {
    /// MESSAGE-INTEGRITY: HMAC-SHA1 (RFC 8489 §14.5). ICE uses this with the password as key.
    case sha1(key: [UInt8])
    /// MESSAGE-INTEGRITY-SHA256: HMAC-SHA256 (RFC 8489 §14.6).
    case sha256(key: [UInt8])
    /// Both, SHA-1 first, as RFC 8489 §9.2.4 allows during algorithm transition.
    case both(key: [UInt8])
}

/// A STUN message: header fields plus its ordered attributes.
///
/// Parse with ``init(parsing:)``; the parsed message remembers where its integrity attributes
/// stood so ``verifyIntegrity(key:)`` can check them. Build one with ``init(method:class:transactionID:attributes:)``
/// and turn it into bytes with ``encode(integrity:fingerprint:)``.
public struct Message: Sendable {
    public static let magicCookie: UInt32 = 0x2112_A442
    public static let headerLength = 20

    public var method: STUNMethod
    public var messageClass: STUNClass
    public var transactionID: TransactionID
    public var attributes: [Attribute]

    /// The bytes this message was parsed from (empty for a message built in code).
    public internal(set) var raw: [UInt8] = []
    /// Offset in ``raw`` of the MESSAGE-INTEGRITY attribute header, if present.
    public internal(set) var messageIntegrityOffset: Int?
    /// Offset in ``raw`` of the MESSAGE-INTEGRITY-SHA256 attribute header, if present.
    public internal(set) var messageIntegritySHA256Offset: Int?
    /// Whether a (valid) FINGERPRINT attribute was present.
    public internal(set) var hasFingerprint = false
    /// Comprehension-required attribute types (< 0x8000) this codec did not understand;
    /// a server answers a request carrying any with 420 (RFC 8489 §6.3.1).
    public internal(set) var unknownComprehensionRequired: [UInt16] = []

    public init(method: STUNMethod, class messageClass: STUNClass, transactionID: TransactionID = .random(), attributes: [Attribute] = []) {
        self.method = method
        self.messageClass = messageClass
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// True when `bytes` looks like STUN at a glance: the RFC 7983 first-byte range, the
    /// magic cookie and a sane length. Cheap enough for demultiplexing every datagram.
    public static func isProbablySTUN(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= headerLength else { return false }
        var it = bytes.makeIterator()
        var head = [UInt8]()
        head.reserveCapacity(8)
        for _ in 0..<8 { head.append(it.next()!) }
        return head[0] < 4 && head[3] & 0x03 == 0 && UInt32(bigEndianBytes: head[4..<8]) == magicCookie
    }

    // MARK: Accessors

    /// The first attribute of a kind, chosen by a projection that returns non-nil for it.
    public func first<T>(_ projection: (Attribute) -> T?) -> T? {
        for attribute in attributes {
            if let value = projection(attribute) { return value }
        }
        return nil
    }

    public var username: String? { first { if case .username(let v) = $0 { v } else { nil } } }
    public var realm: String? { first { if case .realm(let v) = $0 { v } else { nil } } }
    public var nonce: String? { first { if case .nonce(let v) = $0 { v } else { nil } } }
    public var software: String? { first { if case .software(let v) = $0 { v } else { nil } } }
    public var errorCode: ErrorCode? { first { if case .errorCode(let v) = $0 { v } else { nil } } }
    public var priority: UInt32? { first { if case .priority(let v) = $0 { v } else { nil } } }
    public var mappedAddress: TransportAddress? { first { if case .mappedAddress(let v) = $0 { v } else { nil } } }
    public var xorMappedAddress: TransportAddress? { first { if case .xorMappedAddress(let v) = $0 { v } else { nil } } }
    public var unknownAttributes: [UInt16]? { first { if case .unknownAttributes(let v) = $0 { v } else { nil } } }
    public var iceControlling: UInt64? { first { if case .iceControlling(let v) = $0 { v } else { nil } } }
    public var iceControlled: UInt64? { first { if case .iceControlled(let v) = $0 { v } else { nil } } }
    public var useCandidate: Bool { attributes.contains(.useCandidate) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension UInt32 {
    init(bigEndianBytes bytes: some Collection<UInt8>) {
        self = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension UInt64 {
    init(bigEndianBytes bytes: some Collection<UInt8>) {
        self = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
