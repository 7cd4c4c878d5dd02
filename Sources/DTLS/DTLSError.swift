import SDP

/// Errors of the DTLS module. OpenSSL failures carry the text of OpenSSL's error queue.
public enum DTLSError: Error, Equatable, Sendable {
    /// A fingerprint from signalling whose hash function we cannot check (RFC 8122 §5 allows the
    /// SHA-1 and SHA-2 family only), or whose length does not match that hash.
    case invalidFingerprint(String)
    /// Generating the key pair or self-signed certificate failed.
    case certificateGenerationFailed(String)
    /// PEM files could not be read, or the key does not belong to the certificate.
    case invalidCertificate(String)
    /// OpenSSL rejected the context or connection set-up.
    case configurationFailed(String)
    /// The peer's certificate does not hash to the fingerprint from signalling; the handshake was aborted.
    case fingerprintMismatch(expected: Fingerprint, received: Fingerprint)
    /// The peer completed the handshake without presenting a certificate.
    case missingPeerCertificate
    /// The handshake failed: a fatal alert, a protocol error, or OpenSSL's retransmission limit.
    case handshakeFailed(String)
    /// A fatal alert or protocol error after the handshake had completed.
    case connectionFailed(String)
    /// The peer did not agree to any offered SRTP protection profile (RFC 5764 §4.1.3).
    case noSRTPProfileNegotiated
    /// Exporting the DTLS-SRTP keying material failed.
    case keyExportFailed(String)
    /// Offer and answer `a=setup` values that RFC 5763 §5 does not allow together.
    case invalidSetupRoles(offer: SetupRole, answer: SetupRole)
}
