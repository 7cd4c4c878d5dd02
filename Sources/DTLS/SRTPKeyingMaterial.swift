import SRTP

extension SRTPProfile {
    /// OpenSSL's name for the profile in `SSL_CTX_set_tlsext_use_srtp`.
    var openSSLName: String {
        switch self {
        case .aes128CmHmacSha1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAes128Gcm: "SRTP_AEAD_AES_128_GCM"
        }
    }
}

/// The SRTP keys a DTLS-SRTP handshake exported (RFC 5764 §4.2): the exporter output with label
/// "EXTRACTOR-dtls_srtp" is client key | server key | client salt | server salt.
public struct SRTPKeyingMaterial: Sendable, Equatable {
    /// The negotiated protection profile.
    public let profile: SRTPProfile
    /// The key and salt this endpoint protects outgoing SRTP with.
    public let local: SRTPMasterKey
    /// The key and salt the peer protects its SRTP with.
    public let remote: SRTPMasterKey

    /// The exporter label of RFC 5764 §4.2.
    static let exporterLabel = "EXTRACTOR-dtls_srtp"

    /// Bytes to export for `profile`.
    static func exportLength(for profile: SRTPProfile) -> Int {
        2 * (profile.masterKeyLength + profile.masterSaltLength)
    }

    /// Splits exporter output of ``exportLength(for:)`` bytes; `localRole` decides which half is ours.
    init(profile: SRTPProfile, exported: [UInt8], localRole: DTLSRole) throws(SRTPError) {
        let key = profile.masterKeyLength, salt = profile.masterSaltLength
        let client = try SRTPMasterKey(key: Array(exported[0..<key]), salt: Array(exported[2 * key..<2 * key + salt]), profile: profile)
        let server = try SRTPMasterKey(key: Array(exported[key..<2 * key]),
                                       salt: Array(exported[2 * key + salt..<2 * key + 2 * salt]), profile: profile)
        self.profile = profile
        (local, remote) = localRole == .client ? (client, server) : (server, client)
    }
}

extension SRTPSession {
    /// The SRTP session both directions of a DTLS-SRTP association use.
    public convenience init(_ keys: SRTPKeyingMaterial, replayWindow: Int = 1024) throws(SRTPError) {
        try self.init(profile: keys.profile, local: keys.local, remote: keys.remote, replayWindow: replayWindow)
    }
}
