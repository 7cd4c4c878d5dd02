import COpenSSL
import SDP

/// The certificate and private key this endpoint presents in DTLS handshakes.
///
/// WebRTC endpoints authenticate each other by certificate fingerprint, not by a CA, so a fresh
/// self-signed ECDSA P-256 certificate per process is the normal case (``processWide()``); a
/// persistent identity can be loaded from PEM files.
public final class DTLSCertificate: @unchecked Sendable {
    // @unchecked: the X509 and EVP_PKEY are never mutated after init; OpenSSL's reference counts
    // (taken by SSL_CTX_use_certificate/PrivateKey) are atomic, so sharing across threads is safe.
    let x509: OpaquePointer
    let privateKey: OpaquePointer
    /// SHA-256 fingerprint of the DER certificate, for `a=fingerprint`.
    public let fingerprint: Fingerprint

    private init(x509: OpaquePointer, privateKey: OpaquePointer) throws(DTLSError) {
        guard let fingerprint = CertificateDigest.fingerprint(of: x509) else {
            X509_free(x509)
            EVP_PKEY_free(privateKey)
            throw .invalidCertificate(OpenSSLErrors.drain(or: "X509_digest failed"))
        }
        self.x509 = x509
        self.privateKey = privateKey
        self.fingerprint = fingerprint
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The certificate generated once for this process, shared by all connections.
    public static func processWide() throws(DTLSError) -> DTLSCertificate {
        try processWideCertificate.get()
    }

    /// Generates an ECDSA P-256 key pair and a self-signed certificate for it.
    /// - Parameters:
    ///   - commonName: the subject and issuer CN; peers do not check it.
    ///   - validityDays: days the certificate stays valid (it also claims validity since yesterday,
    ///     so a peer whose clock lags a little still accepts it).
    public static func generateSelfSigned(commonName: String = "glimpse", validityDays: Int = 30) throws(DTLSError) -> DTLSCertificate {
        let key = try generateP256Key()
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw .certificateGenerationFailed(OpenSSLErrors.drain(or: "X509_new failed"))
        }
        var serial: UInt64 = 0
        let built = withUnsafeMutableBytes(of: &serial) { RAND_bytes($0.baseAddress, Int32($0.count)) } == 1
            && X509_set_version(x509, 2) == 1  // X.509 v3
            && ASN1_INTEGER_set_uint64(X509_get_serialNumber(x509), serial) == 1
            && X509_gmtime_adj(X509_getm_notBefore(x509), -86_400) != nil
            && X509_gmtime_adj(X509_getm_notAfter(x509), 86_400 * validityDays) != nil
            && X509_NAME_add_entry_by_txt(X509_get_subject_name(x509), "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
            && X509_set_issuer_name(x509, X509_get_subject_name(x509)) == 1
            && X509_set_pubkey(x509, key) == 1
            && X509_sign(x509, key, EVP_sha256()) > 0
        guard built else {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw .certificateGenerationFailed(OpenSSLErrors.drain(or: "building the certificate failed"))
        }
        return try DTLSCertificate(x509: x509, privateKey: key)
    }

    /// Loads a certificate and its private key from PEM files.
    public convenience init(certificateFile: String, privateKeyFile: String) throws(DTLSError) {
        guard let certificateBIO = BIO_new_file(certificateFile, "r") else {
            throw .invalidCertificate(OpenSSLErrors.drain(or: "cannot open \(certificateFile)"))
        }
        defer { BIO_free(certificateBIO) }
        guard let keyBIO = BIO_new_file(privateKeyFile, "r") else {
            throw .invalidCertificate(OpenSSLErrors.drain(or: "cannot open \(privateKeyFile)"))
        }
        defer { BIO_free(keyBIO) }
        guard let x509 = PEM_read_bio_X509(certificateBIO, nil, nil, nil) else {
            throw .invalidCertificate(OpenSSLErrors.drain(or: "no certificate in \(certificateFile)"))
        }
        guard let key = PEM_read_bio_PrivateKey(keyBIO, nil, nil, nil) else {
            X509_free(x509)
            throw .invalidCertificate(OpenSSLErrors.drain(or: "no private key in \(privateKeyFile)"))
        }
        guard X509_check_private_key(x509, key) == 1 else {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw .invalidCertificate(OpenSSLErrors.drain(or: "the private key does not match the certificate"))
        }
        try self.init(x509: x509, privateKey: key)
    }

    /// The certificate in PEM form, e.g. to save a persistent identity.
    public var certificatePEM: String {
        pem { PEM_write_bio_X509($0, x509) }
    }

    /// The unencrypted private key in PKCS#8 PEM form.
    public var privateKeyPEM: String {
        pem { PEM_write_bio_PrivateKey($0, privateKey, nil, nil, 0, nil, nil) }
    }

    private func pem(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return "" }
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = BIO_read(bio, &bytes, Int32(bytes.count))
        return String(decoding: bytes.prefix(Int(max(0, read))), as: UTF8.self)
    }

    private static func generateP256Key() throws(DTLSError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw .certificateGenerationFailed(OpenSSLErrors.drain(or: "no EC key support"))
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
              EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &key) == 1,
              let key
        else {
            throw .certificateGenerationFailed(OpenSSLErrors.drain(or: "P-256 key generation failed"))
        }
        return key
    }
}

/// Generated on first use, once per process (a global `let` is initialised exactly once, thread-safely).
private let processWideCertificate = Result { () throws(DTLSError) -> DTLSCertificate in
    try DTLSCertificate.generateSelfSigned()
}
