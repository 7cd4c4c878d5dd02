import DTLS
import SDP
import SRTP
import Testing

/// Handshakes between two real OpenSSL endpoints wired back to back in memory.
@Suite struct HandshakeTests {
    static let clientCertificate = Result { try DTLSCertificate.generateSelfSigned(commonName: "client") }
    static let serverCertificate = Result { try DTLSCertificate.generateSelfSigned(commonName: "server") }

    static func pair(clientConfiguration: DTLSConfiguration = .init(), serverConfiguration: DTLSConfiguration = .init(),
                     clientExpects: Fingerprint? = nil, serverExpects: Fingerprint? = nil,
                     now: ContinuousClock.Instant = .now) throws -> InMemoryPair {
        try InMemoryPair(clientCertificate: clientCertificate.get(), serverCertificate: serverCertificate.get(),
                         clientExpects: clientExpects, serverExpects: serverExpects,
                         clientConfiguration: clientConfiguration, serverConfiguration: serverConfiguration, now: now)
    }

    @Test func handshakeExportsMirroredKeysAndPrefersGCM() throws {
        let pair = try Self.pair()
        pair.exchange(at: .now)
        let clientKeys = try InMemoryPair.keys(in: pair.clientEvents).orThrow()
        let serverKeys = try InMemoryPair.keys(in: pair.serverEvents).orThrow()
        #expect(clientKeys.profile == .aeadAes128Gcm)
        #expect(clientKeys.local == serverKeys.remote)
        #expect(clientKeys.remote == serverKeys.local)
        #expect(clientKeys.local.key != clientKeys.remote.key)
        #expect(clientKeys.local.salt.count == 12)
        #expect(pair.client.state == .connected && pair.server.state == .connected)
        #expect(pair.client.nextDeadline == nil)
    }

    @Test(arguments: [SRTPProfile.aes128CmHmacSha1_80, .aeadAes128Gcm])
    func exportedKeysDriveSRTPBothWays(profile: SRTPProfile) throws {
        var clientConfiguration = DTLSConfiguration()
        clientConfiguration.srtpProfiles = [profile]
        let pair = try Self.pair(clientConfiguration: clientConfiguration)
        pair.exchange(at: .now)
        let clientKeys = try InMemoryPair.keys(in: pair.clientEvents).orThrow()
        #expect(clientKeys.profile == profile)
        #expect(clientKeys.local.salt.count == profile.masterSaltLength)
        let client = try SRTPSession(clientKeys)
        let server = try SRTPSession(InMemoryPair.keys(in: pair.serverEvents).orThrow())
        for (sender, receiver) in [(client, server), (server, client)] {
            let plain = rtpPacket(ssrc: 42, sequence: 1, payload: [9, 8, 7])
            var packet = plain
            try sender.protectRTP(&packet)
            try receiver.unprotectRTP(&packet)
            #expect(packet == plain)
        }
    }

    /// RFC 8122 lets a peer signal any SHA hash; the digest to compare is taken with that hash, as the
    /// `openssl` command computes it independently from the PEM.
    @Test(arguments: ["sha-1", "sha-384", "sha-512"])
    func fingerprintWithAnotherSHAHashIsVerifiedWithThatHash(hashFunction: String) throws {
        let server = try Self.serverCertificate.get()
        let signalled = try opensslFingerprint(of: server.certificatePEM, hashFunction: hashFunction)
        #expect(signalled.hashFunction == hashFunction)
        let pair = try Self.pair(clientExpects: signalled)
        pair.exchange(at: .now)
        #expect(InMemoryPair.keys(in: pair.clientEvents) != nil)

        var wrong = signalled
        wrong.bytes[0] ^= 1
        let refused = try Self.pair(clientExpects: wrong)
        refused.exchange(at: .now)
        #expect(InMemoryPair.keys(in: refused.clientEvents) == nil)
        #expect(refused.clientEvents.contains(.failed(.fingerprintMismatch(expected: wrong, received: signalled))))
    }

    @Test(arguments: [Fingerprint(hashFunction: "md5", bytes: Array(repeating: 0xAB, count: 16)),
                      Fingerprint(hashFunction: "sha-256", bytes: Array(repeating: 0xAB, count: 20)),
                      Fingerprint(hashFunction: "blake2", bytes: Array(repeating: 0xAB, count: 32))])
    func fingerprintWeCannotCheckIsRefusedUpFront(fingerprint: Fingerprint) {
        #expect(throws: DTLSError.invalidFingerprint(fingerprint.description)) { try Self.pair(clientExpects: fingerprint) }
    }

    @Test func serverWithoutCommonProfileFailsTheHandshake() throws {
        var clientConfiguration = DTLSConfiguration(), serverConfiguration = DTLSConfiguration()
        clientConfiguration.srtpProfiles = [.aes128CmHmacSha1_80]
        serverConfiguration.srtpProfiles = [.aeadAes128Gcm]
        let pair = try Self.pair(clientConfiguration: clientConfiguration, serverConfiguration: serverConfiguration)
        pair.exchange(at: .now)
        #expect(InMemoryPair.keys(in: pair.clientEvents) == nil)
        #expect(InMemoryPair.keys(in: pair.serverEvents) == nil)
        #expect(pair.clientEvents.contains(.failed(.noSRTPProfileNegotiated)))
    }

    @Test(arguments: [DTLSRole.client, .server])
    func fingerprintMismatchAbortsTheHandshakeWithoutKeys(verifyingSide: DTLSRole) throws {
        let wrong = try DTLSCertificate.generateSelfSigned().fingerprint
        let pair = try Self.pair(clientExpects: verifyingSide == .client ? wrong : nil,
                                 serverExpects: verifyingSide == .server ? wrong : nil)
        pair.exchange(at: .now)
        let (verifier, peer) = verifyingSide == .client ? (pair.clientEvents, pair.serverEvents) : (pair.serverEvents, pair.clientEvents)
        let actual = try (verifyingSide == .client ? Self.serverCertificate : Self.clientCertificate).get().fingerprint
        #expect(verifier == [.failed(.fingerprintMismatch(expected: wrong, received: actual))])
        // The fatal alert reached the peer, which fails too; nobody exported keys.
        #expect(peer.count == 1)
        guard case .failed(.handshakeFailed(let reason)) = peer.first else {
            Issue.record("peer saw \(peer)")
            return
        }
        #expect(reason.contains("alert"))
        #expect(pair.client.nextDeadline == nil && pair.server.nextDeadline == nil)
    }

    @Test(arguments: [300, 1200])
    func datagramsRespectTheMTU(mtu: Int) throws {
        var configuration = DTLSConfiguration()
        configuration.mtu = mtu
        let pair = try Self.pair(clientConfiguration: configuration, serverConfiguration: configuration)
        pair.exchange(at: .now)
        #expect(InMemoryPair.keys(in: pair.clientEvents) != nil)
        #expect(pair.sent.allSatisfy { $0.bytes.count <= mtu })
        // A flight with a certificate does not fit 300 bytes, so it must have been fragmented.
        if mtu == 300 { #expect(pair.sent.filter { $0.from == .server }.count > 2) }
    }

    @Test(arguments: [DTLSRole.client, .server])
    func closeNotifyIsReportedOnBothSides(closingSide: DTLSRole) throws {
        let pair = try Self.pair()
        pair.exchange(at: .now)
        let (closer, other) = closingSide == .client ? (pair.client, pair.server) : (pair.server, pair.client)
        closer.close()
        pair.exchange(at: .now)
        #expect(pair.clientEvents.last == .closed)
        #expect(pair.serverEvents.last == .closed)
        #expect(closer.state == .closed && other.state == .closed)
        // The answering close_notify went back to the closer too.
        #expect(pair.sent.suffix(2).map(\.from) == [closingSide, closingSide == .client ? .server : .client])
    }

    @Test func lostClientHelloIsRetransmittedWhenTheTimerRunsOut() async throws {
        var configuration = DTLSConfiguration()
        configuration.initialRetransmissionTimeout = .milliseconds(50)
        let pair = try Self.pair(clientConfiguration: configuration, serverConfiguration: configuration)
        var lost = 0
        pair.exchange(at: .now) { _, _ in lost += 1; return true }
        #expect(lost == 1)
        let deadline = try pair.client.nextDeadline.orThrow()
        #expect(deadline - .now <= .milliseconds(50))
        // OpenSSL's timer runs on real time, so wait for it before firing ours.
        try await ContinuousClock().sleep(until: deadline)
        pair.client.handleTimeout(at: .now)
        pair.exchange(at: .now)
        #expect(pair.sent.count > 2)
        #expect(pair.sent[1].from == .client && pair.sent[1].bytes[13] == 1)  // handshake type client_hello
        #expect(InMemoryPair.keys(in: pair.clientEvents) != nil)
        #expect(InMemoryPair.keys(in: pair.serverEvents) != nil)
    }

    @Test func unansweredClientGivesUpAfterOpenSSLsRetransmissionLimit() async throws {
        var configuration = DTLSConfiguration()
        // Below OpenSSL's 15 ms granularity: the 50 ms floor must keep it from giving up inside one call.
        configuration.initialRetransmissionTimeout = .milliseconds(1)
        configuration.maximumRetransmissionTimeout = .milliseconds(50)
        let client = try DTLSConnection(role: .client, certificate: Self.clientCertificate.get(),
                                        remoteFingerprint: Self.serverCertificate.get().fingerprint,
                                        configuration: configuration, now: .now)
        var transmissions = 0, events: [DTLSEvent] = []
        let giveUp = ContinuousClock.now + .seconds(5)
        while client.state == .handshaking, ContinuousClock.now < giveUp {
            while let output = client.poll() {
                switch output {
                case .transmit: transmissions += 1
                case .event(let event): events.append(event)
                }
            }
            guard let deadline = client.nextDeadline else { break }
            try await ContinuousClock().sleep(until: deadline)
            client.handleTimeout(at: .now)
        }
        while let output = client.poll() {
            if case .event(let event) = output { events.append(event) }
        }
        #expect(client.state == .failed)
        #expect(transmissions > 10)
        guard case .failed(.handshakeFailed(let reason))? = events.last else {
            Issue.record("events: \(events)")
            return
        }
        #expect(reason.contains("timeout"))
    }

    @Test func injectedClockAheadOfRealTimeDoesNotRetransmitEarly() throws {
        let start = ContinuousClock.now
        let pair = try Self.pair(now: start)
        pair.exchange(at: start) { _, _ in true }
        let first = try pair.client.nextDeadline.orThrow()
        #expect(first > start && first <= start + .seconds(1))
        // The injected clock claims 5 s passed; OpenSSL's real-time timer (1 s) has not run out.
        let fakeNow = start + .seconds(5)
        pair.client.handleTimeout(at: fakeNow)
        #expect(pair.client.poll() == nil)
        let moved = try pair.client.nextDeadline.orThrow()
        #expect(moved > fakeNow && moved <= fakeNow + .seconds(1))
    }

    @Test func datagramsAfterFailureAreIgnored() throws {
        let wrong = try DTLSCertificate.generateSelfSigned().fingerprint
        let pair = try Self.pair(clientExpects: wrong)
        pair.exchange(at: .now)
        #expect(pair.client.state == .failed)
        pair.client.handle(datagram: [22, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 20), at: .now)
        #expect(pair.client.poll() == nil)
    }
}
