import COpenSSL
import CShims
import SDP
import SRTP

/// Owns one OpenSSL DTLS 1.2 endpoint: its `SSL_CTX`, its `SSL` and, through the `SSL`, the two
/// memory BIOs that replace a socket (datagrams in through `incoming`, records out through `outgoing`).
///
/// Time inside OpenSSL: OpenSSL stamps its handshake retransmission timer with the real clock
/// (`gettimeofday` in `dtls1_start_timer`) and compares against the real clock whenever it is asked
/// (`DTLSv1_get_timeout`, `DTLSv1_handle_timeout`, and implicitly on every read that finds no data).
/// Only the timer's duration is ours, through `DTLS_set_timer_cb`: this class applies the configured
/// initial timeout and doubles it up to the configured ceiling (RFC 6347 §4.2.4.1).
final class OpenSSLDTLS {
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let incoming: OpaquePointer
    private let outgoing: OpaquePointer
    /// Kept alive because the context references its X509 and key.
    private let certificate: DTLSCertificate
    let expectedFingerprint: Fingerprint
    /// Set by the verify callback when the peer's certificate does not match the signalled fingerprint.
    private(set) var fingerprintMismatch: DTLSError?
    private let initialTimeout: UInt32
    private let maximumTimeout: UInt32

    /// What one step of the handshake came to.
    enum HandshakeProgress {
        case inProgress
        case complete
        case failed(String)
    }

    /// What reading records after the handshake came to.
    enum ReadOutcome {
        /// Everything fed so far has been consumed.
        case drained
        /// The peer sent close_notify.
        case closedByPeer
        case failed(String)
    }

    init(role: DTLSRole, certificate: DTLSCertificate, expectedFingerprint: Fingerprint,
         configuration: DTLSConfiguration) throws(DTLSError) {
        try CertificateDigest.validate(expectedFingerprint)
        guard let context = SSL_CTX_new(DTLS_method()) else {
            throw .configurationFailed(OpenSSLErrors.drain(or: "SSL_CTX_new failed"))
        }
        let profiles = configuration.srtpProfiles.map(\.openSSLName).joined(separator: ":")
        let configured = glimpse_SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1
            && glimpse_SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) == 1
            && SSL_CTX_use_certificate(context, certificate.x509) == 1
            && SSL_CTX_use_PrivateKey(context, certificate.privateKey) == 1
            && SSL_CTX_check_private_key(context) == 1
            // ECDSA certificates only pair with ECDHE-ECDSA suites; AEAD first, as browsers prefer.
            && SSL_CTX_set_cipher_list(
                context,
                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
                    + "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA") == 1
            && !profiles.isEmpty
            && SSL_CTX_set_tlsext_use_srtp(context, profiles) == 0  // 0 means success here
        guard configured else {
            SSL_CTX_free(context)
            throw .configurationFailed(OpenSSLErrors.drain(or: "SSL_CTX set-up failed"))
        }
        // The MTU is ours, not the (non-existent) socket's.
        SSL_CTX_set_options(context, glimpse_SSL_OP_NO_QUERY_MTU())
        // Both sides must present a certificate; trust comes from the fingerprint, not a CA.
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyPeerCallback)

        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .configurationFailed(OpenSSLErrors.drain(or: "SSL_new failed"))
        }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            SSL_CTX_free(context)
            throw .configurationFailed(OpenSSLErrors.drain(or: "BIO_new failed"))
        }
        // An empty memory BIO must read as "try again" (WANT_READ), not as end of file.
        glimpse_BIO_set_mem_eof_return(incoming, -1)
        glimpse_BIO_set_mem_eof_return(outgoing, -1)
        SSL_set_bio(ssl, incoming, outgoing)  // the SSL owns both BIOs from here on

        self.context = context
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        self.certificate = certificate
        self.expectedFingerprint = expectedFingerprint
        initialTimeout = max(Self.minimumTimeout, Self.microseconds(configuration.initialRetransmissionTimeout))
        maximumTimeout = max(initialTimeout, Self.microseconds(configuration.maximumRetransmissionTimeout))

        // Callbacks find this object through the SSL's app data; it lives exactly as long as the SSL.
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
        DTLS_set_timer_cb(ssl, retransmissionTimeoutCallback)
        // SSL_set_mtu answers with the MTU it took, DTLS_set_link_mtu with 1; both 0 when below OpenSSL's minimum.
        guard glimpse_DTLS_set_link_mtu(ssl, configuration.mtu) == 1, glimpse_SSL_set_mtu(ssl, configuration.mtu) > 0 else {
            throw .configurationFailed(OpenSSLErrors.drain(or: "MTU \(configuration.mtu) rejected"))
        }
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Hands one received datagram to OpenSSL.
    func feed(_ datagram: [UInt8]) {
        _ = BIO_write(incoming, datagram, Int32(datagram.count))
    }

    /// Everything OpenSSL has written since the last call, as one byte stream of records.
    func takeOutgoing() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = BIO_read(outgoing, &bytes, Int32(pending))
        return Array(bytes.prefix(Int(max(0, read))))
    }

    func handshake() -> HandshakeProgress {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .complete }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .inProgress
        default: return .failed(OpenSSLErrors.drain(or: "handshake failed"))
        }
    }

    /// Reads records until the incoming BIO is empty. Application data is discarded: Glimpse
    /// carries media over SRTP, and nothing over the DTLS channel itself.
    func readRecords() -> ReadOutcome {
        var sink = [UInt8](repeating: 0, count: 2048)
        while true {
            ERR_clear_error()
            let result = SSL_read(ssl, &sink, Int32(sink.count))
            if result > 0 { continue }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .drained
            case SSL_ERROR_ZERO_RETURN: return .closedByPeer
            default: return .failed(OpenSSLErrors.drain(or: "read failed"))
            }
        }
    }

    /// Queues close_notify.
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Time left on OpenSSL's (real-time) retransmission timer; `nil` when it is not running.
    func remainingTimeout() -> Duration? {
        var remaining = timeval()
        guard glimpse_DTLSv1_get_timeout(ssl, &remaining) == 1 else { return nil }
        return .seconds(remaining.tv_sec) + .microseconds(remaining.tv_usec)
    }

    /// Retransmits the current flight if OpenSSL's timer has expired. `false` when OpenSSL gave up
    /// (too many retransmissions) or failed.
    func handleTimeout() -> Bool {
        ERR_clear_error()
        return glimpse_DTLSv1_handle_timeout(ssl) >= 0
    }

    /// The fingerprint of the certificate the peer presented, under the signalled hash function.
    func peerFingerprint() -> Fingerprint? {
        guard let peer = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(peer) }
        return CertificateDigest.fingerprint(of: peer, hashFunction: expectedFingerprint.hashFunction)
    }

    /// The use_srtp profile both sides agreed on.
    func selectedSRTPProfile() -> SRTPProfile? {
        guard let profile = SSL_get_selected_srtp_profile(ssl) else { return nil }
        return SRTPProfile(rawValue: UInt16(truncatingIfNeeded: profile.pointee.id))
    }

    /// Keying material from the TLS exporter (RFC 5705) with no context.
    func exportKeyingMaterial(label: String, length: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: length)
        let status = SSL_export_keying_material(ssl, &output, length, label, label.utf8.count, nil, 0, 0)
        return status == 1 ? output : nil
    }

    fileprivate func verifyPeer(_ store: OpaquePointer) -> Bool {
        // Only the leaf certificate identifies the peer (RFC 8122 §5); OpenSSL's own verdict on the
        // chain is ignored because it is self-signed by design.
        guard X509_STORE_CTX_get_error_depth(store) == 0 else { return true }
        guard let certificate = X509_STORE_CTX_get_current_cert(store),
              let received = CertificateDigest.fingerprint(of: certificate, hashFunction: expectedFingerprint.hashFunction) else {
            return false
        }
        guard received == expectedFingerprint else {
            fingerprintMismatch = .fingerprintMismatch(expected: expectedFingerprint, received: received)
            // Makes OpenSSL send a fatal bad_certificate alert.
            X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
            return false
        }
        return true
    }

    fileprivate func nextTimeout(after previous: UInt32) -> UInt32 {
        previous == 0 ? initialTimeout : min(maximumTimeout, previous.multipliedReportingOverflow(by: 2).partialValue)
    }

    /// OpenSSL counts a timer with less than 15 ms left as expired (`dtls1_get_timeout`), and a read
    /// that finds no data retransmits on an expired timer; shorter timeouts would burn through its
    /// retransmission limit inside one call. 50 ms leaves room for processing time.
    static let minimumTimeout: UInt32 = 50_000

    private static func microseconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return UInt32(clamping: max(1, micros))
    }

    fileprivate static func owner(of ssl: OpaquePointer) -> OpenSSLDTLS? {
        SSL_get_ex_data(ssl, 0).map { Unmanaged<OpenSSLDTLS>.fromOpaque($0).takeUnretainedValue() }
    }
}

private let verifyPeerCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { _, store in
    guard let store,
          let ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
          let owner = OpenSSLDTLS.owner(of: OpaquePointer(ssl))
    else { return 0 }
    return owner.verifyPeer(store) ? 1 : 0
}

private let retransmissionTimeoutCallback: @convention(c) (OpaquePointer?, UInt32) -> UInt32 = { ssl, previous in
    guard let ssl, let owner = OpenSSLDTLS.owner(of: ssl) else { return 1_000_000 }
    return owner.nextTimeout(after: previous)
}
