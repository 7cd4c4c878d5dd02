import CSRTP

/// An SRTP protection profile negotiated through DTLS-SRTP; the raw value is the profile's
/// identifier in the use_srtp extension (RFC 5764 §4.1.2, RFC 7714 §14.2).
public enum SRTPProfile: UInt16, Sendable, CaseIterable {
    /// SRTP_AES128_CM_HMAC_SHA1_80: AES-128 counter mode with an 80-bit HMAC-SHA1 tag.
    case aes128CmHmacSha1_80 = 0x0001
    /// SRTP_AEAD_AES_128_GCM: AES-128-GCM with a 16-byte tag (RFC 7714).
    case aeadAes128Gcm = 0x0007

    /// Length of the master key in bytes.
    public var masterKeyLength: Int { 16 }

    /// Length of the master salt in bytes: 112 bits for AES-CM (RFC 3711 §8.2), 96 for GCM (RFC 7714 §12).
    public var masterSaltLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: 14
        case .aeadAes128Gcm: 12
        }
    }

    var libsrtpProfile: srtp_profile_t {
        switch self {
        case .aes128CmHmacSha1_80: srtp_profile_aes128_cm_sha1_80
        case .aeadAes128Gcm: srtp_profile_aead_aes_128_gcm
        }
    }
}

/// One direction's SRTP master key and master salt (RFC 3711 §8.2).
public struct SRTPMasterKey: Sendable, Equatable {
    public let key: [UInt8]
    public let salt: [UInt8]

    /// Checks the lengths against what `profile` needs.
    public init(key: [UInt8], salt: [UInt8], profile: SRTPProfile) throws(SRTPError) {
        guard key.count == profile.masterKeyLength, salt.count == profile.masterSaltLength else {
            throw .invalidKeyLength(profile: profile, keyLength: key.count, saltLength: salt.count)
        }
        self.key = key
        self.salt = salt
    }
}
