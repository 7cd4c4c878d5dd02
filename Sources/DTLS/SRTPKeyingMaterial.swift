/// An SRTP protection profile offered in the DTLS use_srtp extension (RFC 5764 §4.1.2, RFC 7714 §14.2);
/// the raw value is its identifier there.
public enum DTLSSRTPProfile: UInt16, Sendable, CaseIterable {
    /// SRTP_AES128_CM_HMAC_SHA1_80.
    case aes128CmHmacSha1_80 = 0x0001
    /// SRTP_AEAD_AES_128_GCM.
    case aeadAes128Gcm = 0x0007

    /// OpenSSL's name for the profile in `SSL_CTX_set_tlsext_use_srtp`.
    var openSSLName: String {
        switch self {
        case .aes128CmHmacSha1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAes128Gcm: "SRTP_AEAD_AES_128_GCM"
        }
    }

    /// SRTP master key length in bytes.
    public var masterKeyLength: Int { 16 }

    /// SRTP master salt length in bytes (RFC 3711 §8.2; RFC 7714 §12).
    public var masterSaltLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: 14
        case .aeadAes128Gcm: 12
        }
    }
}

/// The SRTP keys a DTLS-SRTP handshake exported (RFC 5764 §4.2): the exporter output with label
/// "EXTRACTOR-dtls_srtp" is client key | server key | client salt | server salt.
public struct SRTPKeyingMaterial: Sendable, Equatable {
    /// The negotiated protection profile.
    public let profile: DTLSSRTPProfile
    public let clientMasterKey: [UInt8]
    public let serverMasterKey: [UInt8]
    public let clientMasterSalt: [UInt8]
    public let serverMasterSalt: [UInt8]
    /// This endpoint's DTLS role, which decides which half is ours.
    public let localRole: DTLSRole

    /// The exporter label of RFC 5764 §4.2.
    static let exporterLabel = "EXTRACTOR-dtls_srtp"

    /// Bytes to export for `profile`.
    static func exportLength(for profile: DTLSSRTPProfile) -> Int {
        2 * (profile.masterKeyLength + profile.masterSaltLength)
    }

    /// Splits exporter output of ``exportLength(for:)`` bytes.
    init(profile: DTLSSRTPProfile, exported: [UInt8], localRole: DTLSRole) {
        let key = profile.masterKeyLength, salt = profile.masterSaltLength
        self.profile = profile
        self.localRole = localRole
        clientMasterKey = Array(exported[0..<key])
        serverMasterKey = Array(exported[key..<2 * key])
        clientMasterSalt = Array(exported[2 * key..<2 * key + salt])
        serverMasterSalt = Array(exported[2 * key + salt..<2 * key + 2 * salt])
    }

    /// One direction's SRTP master key and salt.
    public struct MasterKey: Sendable, Equatable {
        public let key: [UInt8]
        public let salt: [UInt8]
    }

    /// The key and salt this endpoint protects outgoing SRTP with.
    public var local: MasterKey {
        localRole == .client ? MasterKey(key: clientMasterKey, salt: clientMasterSalt)
            : MasterKey(key: serverMasterKey, salt: serverMasterSalt)
    }

    /// The key and salt the peer protects its SRTP with.
    public var remote: MasterKey {
        localRole == .client ? MasterKey(key: serverMasterKey, salt: serverMasterSalt)
            : MasterKey(key: clientMasterKey, salt: clientMasterSalt)
    }
}
