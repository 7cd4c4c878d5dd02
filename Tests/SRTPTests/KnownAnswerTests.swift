import COpenSSL
import SRTP
import Testing

/// Known answers: libsrtp's own validation vectors pushed through our session API, and
/// RFC 3711 Appendix B checked through what libsrtp writes on the wire.
@Suite struct KnownAnswerTests {
    @Test(arguments: [
        ("libsrtp-srtp_validate-aes128-cm-sha1-80.txt", SRTPProfile.aes128CmHmacSha1_80),
        ("libsrtp-srtp_validate_gcm-aead-aes-128-gcm.txt", SRTPProfile.aeadAes128Gcm),
    ])
    func libsrtpDriverVector(file: String, profile: SRTPProfile) throws {
        let vector = try VectorFile(file)
        let key = try SRTPMasterKey(key: vector["master_key"], salt: vector["master_salt"], profile: profile)
        // Protect with the vector's key as ours, unprotect with it as the peer's.
        let sender = try SRTPSession(profile: profile, local: key, remote: key)
        let receiver = try SRTPSession(profile: profile, local: key, remote: key)

        var rtp = try vector["rtp_plaintext"]
        try sender.protectRTP(&rtp)
        #expect(rtp == (try vector["srtp_protected"]))
        var rtcp = try vector["rtcp_plaintext"]
        try sender.protectRTCP(&rtcp)
        #expect(rtcp == (try vector["srtcp_protected"]))

        var srtp = try vector["srtp_protected"]
        try receiver.unprotectRTP(&srtp)
        #expect(srtp == (try vector["rtp_plaintext"]))
        var srtcp = try vector["srtcp_protected"]
        try receiver.unprotectRTCP(&srtcp)
        #expect(srtcp == (try vector["rtcp_plaintext"]))
    }

    /// B.2 checks the independent AES-CM generator below; B.3 then needs it.
    @Test func rfc3711AppendixB2Keystream() throws {
        let vector = try VectorFile("rfc3711-appendix-b.txt")
        let keystream = try aesCounterKeystream(
            key: vector["b2_session_key"], salt: vector["b2_session_salt"], ssrc: 0, index: 0, blocks: 0xFF02)
        for block in ["0000", "0001", "0002", "feff", "ff00", "ff01"] {
            let offset = Int(block, radix: 16)! * 16
            #expect(Array(keystream[offset..<offset + 16]) == (try vector["b2_keystream_block_\(block)"]), "block \(block)")
        }
    }

    /// libsrtp exposes no derived session keys, so B.3 is checked through the packet libsrtp protects
    /// with the B.3 master key: its ciphertext must be the plaintext XOR the keystream of the B.3 cipher
    /// key and salt, and its tag the HMAC-SHA1 (B.3 auth key) of header, ciphertext and ROC.
    @Test func rfc3711AppendixB3KeyDerivationAsSeenOnTheWire() throws {
        let rfc = try VectorFile("rfc3711-appendix-b.txt")
        let key = try SRTPMasterKey(key: rfc["b3_master_key"], salt: rfc["b3_master_salt"], profile: .aes128CmHmacSha1_80)
        let session = try SRTPSession(profile: .aes128CmHmacSha1_80, local: key, remote: key)
        var packet: [UInt8] = [0x80, 0x0F, 0x12, 0x34, 0xDE, 0xCA, 0xFB, 0xAD, 0xCA, 0xFE, 0xBA, 0xBE]
            + [UInt8](repeating: 0xAB, count: 48)
        let plaintext = packet
        try session.protectRTP(&packet)
        #expect(packet.count == plaintext.count + 10)

        let keystream = try aesCounterKeystream(
            key: rfc["b3_cipher_key"], salt: rfc["b3_cipher_salt"], ssrc: 0xCAFE_BABE, index: 0x1234, blocks: 3)
        let expectedPayload = zip(plaintext[12...], keystream).map { $0 ^ $1 }
        #expect(Array(packet[12..<plaintext.count]) == expectedPayload)

        let authenticated = Array(packet[..<plaintext.count]) + [0, 0, 0, 0]  // ROC = 0 (RFC 3711 §4.2)
        let tag = try hmacSHA1(key: rfc["b3_auth_key"], data: authenticated).prefix(10)
        #expect(Array(packet[plaintext.count...]) == Array(tag))
    }

    /// AES-CM keystream of RFC 3711 §4.1.1: IV = (salt · 2^16) ⊕ (SSRC · 2^64) ⊕ (index · 2^16), via OpenSSL AES-128-CTR.
    private func aesCounterKeystream(key: [UInt8], salt: [UInt8], ssrc: UInt32, index: UInt64, blocks: Int) throws -> [UInt8] {
        var iv = salt + [0, 0]
        for byte in 0..<4 { iv[4 + byte] ^= UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * byte)) }
        for byte in 0..<6 { iv[8 + byte] ^= UInt8(truncatingIfNeeded: index >> (40 - 8 * byte)) }
        let context = try #require(EVP_CIPHER_CTX_new())
        defer { EVP_CIPHER_CTX_free(context) }
        try #require(EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, iv) == 1)
        let zeros = [UInt8](repeating: 0, count: blocks * 16)
        var output = [UInt8](repeating: 0, count: zeros.count)
        var written: Int32 = 0
        try #require(EVP_EncryptUpdate(context, &output, &written, zeros, Int32(zeros.count)) == 1)
        return output
    }

    private func hmacSHA1(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        try #require(HMAC(EVP_sha1(), key, Int32(key.count), data, data.count, &digest, &length) != nil)
        return digest
    }
}
