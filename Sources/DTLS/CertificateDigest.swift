import COpenSSL
import SDP

/// Computes certificate fingerprints as SDP carries them (RFC 8122 §5), with the hash function the
/// fingerprint names, so a peer that signals a SHA-1 or SHA-384 fingerprint is checked just as well.
enum CertificateDigest {
    /// OpenSSL's digest for an SDP hash name. RFC 8122 §5 lets endpoints use the SHA family; MD2 and
    /// MD5 are deliberately refused.
    private static func digest(named hashFunction: String) -> OpaquePointer? {
        switch hashFunction {
        case "sha-1": EVP_sha1()
        case "sha-224": EVP_sha224()
        case "sha-256": EVP_sha256()
        case "sha-384": EVP_sha384()
        case "sha-512": EVP_sha512()
        default: nil
        }
    }

    /// Checks that `fingerprint` names a hash we can compute and has that hash's length.
    static func validate(_ fingerprint: Fingerprint) throws(DTLSError) {
        guard let digest = digest(named: fingerprint.hashFunction),
              Int(EVP_MD_get_size(digest)) == fingerprint.bytes.count else {
            throw .invalidFingerprint(fingerprint.description)
        }
    }

    /// The fingerprint of a DER certificate under `hashFunction`; nil if OpenSSL cannot hash it.
    static func fingerprint(of certificate: OpaquePointer, hashFunction: String = "sha-256") -> Fingerprint? {
        guard let digest = digest(named: hashFunction) else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, digest, &bytes, &length) == 1 else { return nil }
        return Fingerprint(hashFunction: hashFunction, bytes: Array(bytes.prefix(Int(length))))
    }
}
