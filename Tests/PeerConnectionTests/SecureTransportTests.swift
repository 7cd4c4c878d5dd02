import DTLS
import PeerConnection
import SDP
import SRTP
import Testing

/// Two transports with real OpenSSL and libsrtp, wired back to back in memory.
@Suite struct SecureTransportTests {
    static let offererCertificate = Result { try DTLSCertificate.generateSelfSigned(commonName: "offerer") }
    static let answererCertificate = Result { try DTLSCertificate.generateSelfSigned(commonName: "answerer") }

    /// The offerer said actpass, the answerer active: the answerer is the DTLS client.
    final class Pair {
        let offerer: SecureTransport
        let answerer: SecureTransport
        var received: [ObjectIdentifier: [SecureTransport.Output]] = [:]
        /// Datagrams in flight, delivered by `exchange`.
        private var wire: [(to: SecureTransport, bytes: [UInt8])] = []

        init() throws {
            offerer = SecureTransport(certificate: try offererCertificate.get())
            answerer = SecureTransport(certificate: try answererCertificate.get())
        }

        func startOfferer(expecting fingerprint: Fingerprint? = nil) throws {
            try offerer.start(role: DTLSRole(offer: .actpass, answer: .active, localIsOfferer: true),
                              remoteFingerprint: fingerprint ?? answererCertificate.get().fingerprint, at: .now)
        }

        func startAnswerer() throws {
            try answerer.start(role: DTLSRole(offer: .actpass, answer: .active, localIsOfferer: false),
                               remoteFingerprint: offererCertificate.get().fingerprint, at: .now)
        }

        /// Moves datagrams both ways until both sides are quiet; `tamper` may rewrite one in flight.
        func exchange(tamper: ([UInt8]) -> [UInt8] = { $0 }) {
            var progressed = true
            while progressed {
                progressed = false
                for (side, peer) in [(offerer, answerer), (answerer, offerer)] {
                    while let output = side.poll() {
                        progressed = true
                        if case .transmit(let bytes) = output {
                            wire.append((peer, tamper(bytes)))
                        } else {
                            received[ObjectIdentifier(side), default: []].append(output)
                        }
                    }
                }
                let inFlight = wire
                wire = []
                for (to, bytes) in inFlight {
                    progressed = true
                    to.handle(datagram: bytes, at: .now)
                }
            }
        }

        func outputs(of side: SecureTransport) -> [SecureTransport.Output] { received[ObjectIdentifier(side)] ?? [] }

        /// Protects on `from`, delivers to `to`, returns what `to` handed up.
        func send(rtp packet: [UInt8], from: SecureTransport, to: SecureTransport) throws -> SecureTransport.Output? {
            var protected = packet
            try from.protectRTP(&protected)
            #expect(protected != packet)
            to.handle(datagram: protected, at: .now)
            return to.poll()
        }
    }

    static func rtp(sequence: UInt16, payload: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78] + payload
    }

    /// A receiver report (PT 201) from SSRC 0x12345678 with no report blocks.
    static let receiverReport: [UInt8] = [0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78]

    @Test func handshakeThenMediaBothWays() throws {
        let pair = try Pair()
        try pair.startOfferer()
        try pair.startAnswerer()
        pair.exchange()
        #expect(pair.outputs(of: pair.offerer) == [.event(.connected(.aeadAes128Gcm))])
        #expect(pair.outputs(of: pair.answerer) == [.event(.connected(.aeadAes128Gcm))])
        #expect(pair.offerer.state == .connected && pair.answerer.state == .connected)

        let packet = Self.rtp(sequence: 1)
        #expect(try pair.send(rtp: packet, from: pair.offerer, to: pair.answerer) == .rtp(packet))
        #expect(try pair.send(rtp: packet, from: pair.answerer, to: pair.offerer) == .rtp(packet))
        var report = Self.receiverReport
        try pair.answerer.protectRTCP(&report)
        pair.offerer.handle(datagram: report, at: .now)
        #expect(pair.offerer.poll() == .rtcp(Self.receiverReport))
    }

    /// The answerer's ClientHello reaches the offerer before the answer does: it is kept and
    /// replayed once the offerer learns its role and the answerer's fingerprint.
    @Test func handshakeThatArrivesBeforeTheAnswerIsReplayed() throws {
        let pair = try Pair()
        try pair.startAnswerer()
        pair.exchange()
        #expect(pair.offerer.state == .waiting)
        #expect(pair.outputs(of: pair.answerer).isEmpty)
        try pair.startOfferer()
        pair.exchange()
        #expect(pair.offerer.state == .connected && pair.answerer.state == .connected)
        #expect(pair.offerer.drops.total == 0)
    }

    @Test func tamperedAndReplayedMediaIsDroppedAndCounted() throws {
        let pair = try Pair()
        try pair.startOfferer()
        try pair.startAnswerer()
        pair.exchange()
        var packet = Self.rtp(sequence: 7)
        try pair.offerer.protectRTP(&packet)
        pair.answerer.handle(datagram: packet, at: .now)
        #expect(pair.answerer.poll() == .rtp(Self.rtp(sequence: 7)))
        pair.answerer.handle(datagram: packet, at: .now)
        var tampered = packet
        tampered[tampered.count - 1] ^= 0x01
        tampered[3] = 8
        pair.answerer.handle(datagram: tampered, at: .now)
        #expect(pair.answerer.poll() == nil)
        #expect(pair.answerer.drops.rejected.replayed == 1)
        #expect(pair.answerer.drops.rejected.authenticationFailed == 1)
    }

    @Test func mediaBeforeKeysAndForeignDatagramsAreDropped() throws {
        let pair = try Pair()
        pair.offerer.handle(datagram: Self.rtp(sequence: 1), at: .now)
        pair.offerer.handle(datagram: [0x00, 0x01, 0x00, 0x00], at: .now)  // STUN belongs to ICE
        pair.offerer.handle(datagram: [0xFF, 0x00], at: .now)
        #expect(pair.offerer.drops.beforeKeys == 1)
        #expect(pair.offerer.drops.notOurs == 2)
        var packet = Self.rtp(sequence: 1)
        #expect(throws: SecureTransport.SendError.notConnected) { try pair.offerer.protectRTP(&packet) }
        for _ in 0..<(SecureTransport.earlyDatagramLimit + 3) {
            pair.offerer.handle(datagram: [22, 0xFE, 0xFD], at: .now)
        }
        #expect(pair.offerer.drops.earlyHandshake == 3)
    }

    @Test func wrongFingerprintFailsWithoutKeys() throws {
        let pair = try Pair()
        let impostor = try DTLSCertificate.generateSelfSigned().fingerprint
        try pair.startOfferer(expecting: impostor)
        try pair.startAnswerer()
        pair.exchange()
        #expect(pair.offerer.state == .failed)
        #expect(pair.outputs(of: pair.offerer) == [
            .event(.failed(.fingerprintMismatch(expected: impostor, received: try Self.answererCertificate.get().fingerprint))),
        ])
        var packet = Self.rtp(sequence: 1)
        #expect(throws: SecureTransport.SendError.notConnected) { try pair.offerer.protectRTP(&packet) }
        #expect(pair.answerer.state != .connected)
    }

    @Test func closeNotifyEndsBothSides() throws {
        let pair = try Pair()
        try pair.startOfferer()
        try pair.startAnswerer()
        pair.exchange()
        pair.offerer.close()
        pair.exchange()
        #expect(pair.offerer.state == .closed && pair.answerer.state == .closed)
        #expect(pair.outputs(of: pair.answerer).last == .event(.closed))
        var packet = Self.rtp(sequence: 2)
        #expect(throws: SecureTransport.SendError.notConnected) { try pair.answerer.protectRTP(&packet) }
    }
}
