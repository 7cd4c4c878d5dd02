import DTLS
import Foundation
import SDP
import SRTP
import STUN
import Testing

/// Glimpse against aiortc 1.16.0's real RTCDtlsTransport (OpenSSL through pyOpenSSL, libsrtp through
/// pylibsrtp) over loopback UDP: DTLS-SRTP in both roles, media both ways, fingerprints checked on both sides.
@Suite(.enabled(if: AiortcProcess.isAvailable, "python3 cannot import aiortc 1.16.0: run Tools/setup"))
struct AiortcInteropTests {
    static let glimpseSSRC: UInt32 = 0x61177
    static let aiortcSSRC: UInt32 = 0xA10C

    /// An RTCP sender report (RFC 3550 §6.4.1) without report blocks.
    static func senderReport(ssrc: UInt32) -> [UInt8] {
        [0x80, 200, 0, 6] + bigEndian(ssrc) + bigEndian(1) + bigEndian(0) + bigEndian(270) + bigEndian(3) + bigEndian(24)
    }

    struct PeerInfo: Encodable {
        var port: UInt16
        var fingerprint: String
        var role: String
    }

    @Test(arguments: [DTLSRole.client, .server], [SRTPProfile.aeadAes128Gcm, .aes128CmHmacSha1_80])
    func dtlsSRTPWithAiortc(glimpseRole: DTLSRole, profile: SRTPProfile) async throws {
        let aiortc = try AiortcProcess()
        let peer = try await LoopbackPeer()
        do {
            try await exchange(with: aiortc, peer: peer, glimpseRole: glimpseRole, profile: profile)
        } catch {
            await aiortc.finish()
            await peer.shutdown()
            throw error
        }
        await aiortc.finish()
        await peer.shutdown()
    }

    private func exchange(with aiortc: AiortcProcess, peer: LoopbackPeer, glimpseRole: DTLSRole, profile: SRTPProfile) async throws {
        let ready = try await aiortc.next("ready")
        // aiortc's advertised fingerprint is what our verify callback pins its certificate to.
        let aiortcFingerprint = try Fingerprint(parsing: "sha-256 " + ready.fingerprint.orThrow())
        let aiortcAddress = try TransportAddress("127.0.0.1", port: ready.port.orThrow()).orThrow()
        let certificate = try DTLSCertificate.processWide()
        var configuration = DTLSConfiguration()
        configuration.srtpProfiles = [profile]
        try await peer.start(role: glimpseRole, certificate: certificate, remote: aiortcAddress,
                             remoteFingerprint: aiortcFingerprint, configuration: configuration)
        try aiortc.send(PeerInfo(port: peer.endpoint.localAddress.port, fingerprint: certificate.fingerprint.value,
                                 role: glimpseRole == .client ? "server" : "client"))

        let state = try await aiortc.next("state")
        #expect(state.state == "connected")
        let ours = try await peer.wait { $0.keys != nil || $0.failure != nil }
        let keys = try #require(ours.keys, "Glimpse: \(ours.events)")
        #expect(keys.profile == profile)
        #expect(state.profile == (profile == .aeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80"))

        // Glimpse → aiortc: aiortc's pylibsrtp must unprotect what we protected.
        for sequence: UInt16 in 1...3 {
            try await peer.sendRTP(rtpPacket(ssrc: Self.glimpseSSRC, sequence: sequence, payload: Array("glimpse-\(sequence)".utf8)))
        }
        try await peer.sendRTCP(Self.senderReport(ssrc: Self.glimpseSSRC))
        for sequence: UInt16 in 1...3 {
            let received = try await aiortc.next("rtp", timeout: .seconds(5))
            #expect(received.ssrc == Self.glimpseSSRC)
            #expect(received.sequence == sequence)
            #expect(received.payload == Array("glimpse-\(sequence)".utf8).map { String(format: "%02x", $0) }.joined())
        }
        let report = try await aiortc.next("rtcp", timeout: .seconds(5))
        #expect(report.kind == "RtcpSrPacket" && report.ssrc == Self.glimpseSSRC)

        // aiortc → Glimpse: we must unprotect what aiortc protected.
        let media = try await peer.wait { $0.receivedRTP.count == 3 && $0.receivedRTCP.count == 1 }
        #expect(media.receivedRTP.map { Array($0[12...]) } == (1...3).map { Array("aiortc-\($0)".utf8) })
        #expect(media.receivedRTP.allSatisfy { Array($0[8..<12]) == bigEndian(Self.aiortcSSRC) })
        #expect(media.receivedRTCP.first.map { Array($0[4..<8]) } == bigEndian(Self.aiortcSSRC))
        #expect(media.rejections.total == 0)
    }

    @Test func aiortcCertificateNotMatchingItsSignalledFingerprintIsRejected() async throws {
        let aiortc = try AiortcProcess()
        let peer = try await LoopbackPeer()
        do {
            let ready = try await aiortc.next("ready")
            let aiortcAddress = try TransportAddress("127.0.0.1", port: ready.port.orThrow()).orThrow()
            let wrong = try DTLSCertificate.generateSelfSigned().fingerprint
            let certificate = try DTLSCertificate.processWide()
            try await peer.start(role: .client, certificate: certificate, remote: aiortcAddress, remoteFingerprint: wrong)
            try aiortc.send(PeerInfo(port: peer.endpoint.localAddress.port, fingerprint: certificate.fingerprint.value, role: "server"))
            let ours = try await peer.wait { $0.failure != nil || $0.keys != nil }
            let actual = try Fingerprint(parsing: "sha-256 " + ready.fingerprint.orThrow())
            #expect(ours.failure == .fingerprintMismatch(expected: wrong, received: actual))
            #expect(ours.keys == nil)
            #expect(try await aiortc.next("state").state == "failed")
        } catch {
            await aiortc.finish()
            await peer.shutdown()
            throw error
        }
        await aiortc.finish()
        await peer.shutdown()
    }
}
