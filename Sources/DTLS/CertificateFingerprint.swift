/// The SHA-256 fingerprint of a DTLS certificate as SDP carries it (`a=fingerprint:sha-256 AA:BB:…`,
/// RFC 8122 §5): the peer's certificate must hash to this value or the handshake is aborted.
public struct CertificateFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The hash function name used in SDP.
    public static let algorithm = "sha-256"
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// A fingerprint from raw digest bytes.
    public init(bytes: [UInt8]) throws(DTLSError) {
        guard bytes.count == 32 else { throw .invalidFingerprint(String(describing: bytes)) }
        self.bytes = bytes
    }

    /// Parses colon-separated hex (`AA:BB:…`), case-insensitively, optionally preceded by the
    /// algorithm as in the SDP attribute value (`sha-256 AA:BB:…`).
    public init(parsing text: some StringProtocol) throws(DTLSError) {
        var hex = Substring(text).trimmingSpaces
        if let space = hex.firstIndex(of: " ") {
            guard hex[..<space].lowercased() == Self.algorithm else { throw .invalidFingerprint(String(text)) }
            hex = hex[space...].trimmingSpaces
        }
        var bytes: [UInt8] = []
        for pair in hex.split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.count == 2, let byte = UInt8(pair, radix: 16) else { throw .invalidFingerprint(String(text)) }
            bytes.append(byte)
        }
        guard bytes.count == 32 else { throw .invalidFingerprint(String(text)) }
        self.bytes = bytes
    }

    /// Upper-case colon-separated hex, the form SDP uses.
    public var description: String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    /// The value of an SDP `a=fingerprint` attribute: `sha-256 AA:BB:…`.
    public var sdpAttributeValue: String { "\(Self.algorithm) \(description)" }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { formIndex(after: &start) }
        while end > start, self[index(before: end)].isWhitespace { formIndex(before: &end) }
        return self[start..<end]
    }
}
