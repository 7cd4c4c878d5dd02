/// Errors of the SRTP module.
public enum SRTPError: Error, Equatable, Sendable {
    /// Key or salt does not have the profile's length.
    case invalidKeyLength(profile: SRTPProfile, keyLength: Int, saltLength: Int)
    /// libsrtp refused to create a session (its `srtp_err_status_t`).
    case sessionCreationFailed(status: Int32)
    /// The caller's buffer lacks room for the SRTP trailer (see ``SRTPSession/maximumTrailerLength``).
    case insufficientTailroom
    /// libsrtp could not protect the packet (its `srtp_err_status_t`), e.g. not an RTP header.
    case protectFailed(status: Int32)
    /// An incoming packet was rejected; it is counted in ``SRTPSession/rejections`` and never delivered.
    case rejected(SRTPRejection)
}

/// Why an incoming SRTP or SRTCP packet was dropped.
public enum SRTPRejection: Sendable, Equatable, CaseIterable {
    /// The authentication tag (HMAC or GCM) did not verify: tampered, wrong key, or truncated.
    case authenticationFailed
    /// The packet index was already seen or is older than the replay window (RFC 3711 §3.3.2).
    case replayed
    /// Not a parseable RTP/RTCP packet.
    case malformed
    /// Any other libsrtp failure.
    case other
}

/// Per-reason counts of dropped incoming packets.
public struct SRTPRejectionCounters: Sendable, Equatable {
    public internal(set) var authenticationFailed = 0
    public internal(set) var replayed = 0
    public internal(set) var malformed = 0
    public internal(set) var other = 0

    public init() {}

    /// The count for one reason.
    public subscript(reason: SRTPRejection) -> Int {
        switch reason {
        case .authenticationFailed: authenticationFailed
        case .replayed: replayed
        case .malformed: malformed
        case .other: other
        }
    }

    /// All rejected packets.
    public var total: Int { authenticationFailed + replayed + malformed + other }

    mutating func count(_ reason: SRTPRejection) {
        switch reason {
        case .authenticationFailed: authenticationFailed += 1
        case .replayed: replayed += 1
        case .malformed: malformed += 1
        case .other: other += 1
        }
    }
}
