import DTLS
import SRTP
import Testing

/// Two Glimpse endpoints over real loopback UDP sockets with real timers.
@Suite struct LoopbackTests {
    /// Starts a client and a server against each other, runs `body` once both reported an event,
    /// and closes both sockets afterwards (also when `body` throws).
    static func withConnectedPeers(clientConfiguration: DTLSConfiguration = .init(), serverConfiguration: DTLSConfiguration = .init(),
                        lossRate: Double = 0, seeds: (client: UInt64, server: UInt64) = (1, 2),
                        timeout: Duration = .seconds(10),
                        _ body: (LoopbackPeer, LoopbackPeer) async throws -> Void) async throws {
        let clientCertificate = try DTLSCertificate.generateSelfSigned(), serverCertificate = try DTLSCertificate.processWide()
        let client = try await LoopbackPeer(), server = try await LoopbackPeer()
        try await server.start(role: .server, certificate: serverCertificate, remote: client.endpoint.localAddress,
                               remoteFingerprint: clientCertificate.fingerprint, configuration: serverConfiguration,
                               lossRate: lossRate, seed: seeds.server)
        try await client.start(role: .client, certificate: clientCertificate, remote: server.endpoint.localAddress,
                               remoteFingerprint: serverCertificate.fingerprint, configuration: clientConfiguration,
                               lossRate: lossRate, seed: seeds.client)
        _ = try await client.wait(timeout: timeout) { !$0.events.isEmpty }
        _ = try await server.wait(timeout: timeout) { !$0.events.isEmpty }
        do {
            try await body(client, server)
        } catch {
            await client.shutdown()
            await server.shutdown()
            throw error
        }
        await client.shutdown()
        await server.shutdown()
    }

    @Test(arguments: [SRTPProfile.aeadAes128Gcm, .aes128CmHmacSha1_80])
    func handshakeThenSRTPAndSRTCPBothWays(profile: SRTPProfile) async throws {
        var configuration = DTLSConfiguration()
        configuration.srtpProfiles = [profile]
        try await Self.withConnectedPeers(clientConfiguration: configuration) { client, server in
            let clientKeys = try #require(try await client.snapshot.keys)
            let serverKeys = try #require(try await server.snapshot.keys)
            #expect(clientKeys.profile == profile)
            #expect(clientKeys.local == serverKeys.remote && clientKeys.remote == serverKeys.local)

            for sequence: UInt16 in 1...5 {
                try await client.sendRTP(rtpPacket(ssrc: 0xC11E, sequence: sequence, payload: [UInt8](repeating: 0xC1, count: 1000)))
                try await server.sendRTP(rtpPacket(ssrc: 0x5E4E, sequence: sequence, payload: [UInt8](repeating: 0x5E, count: 1000)))
            }
            try await client.sendRTCP(rtcpReceiverReport(ssrc: 0xC11E))
            try await server.sendRTCP(rtcpReceiverReport(ssrc: 0x5E4E))
            let atServer = try await server.wait { $0.receivedRTP.count == 5 && $0.receivedRTCP.count == 1 }
            let atClient = try await client.wait { $0.receivedRTP.count == 5 && $0.receivedRTCP.count == 1 }
            #expect(atServer.receivedRTP.map { $0[2...3] } == (1...5).map { [0, $0] })
            #expect(atServer.receivedRTP.first == rtpPacket(ssrc: 0xC11E, sequence: 1, payload: [UInt8](repeating: 0xC1, count: 1000)))
            #expect(atClient.receivedRTP.last == rtpPacket(ssrc: 0x5E4E, sequence: 5, payload: [UInt8](repeating: 0x5E, count: 1000)))
            #expect(atServer.receivedRTCP == [rtcpReceiverReport(ssrc: 0xC11E)])
            #expect(atClient.receivedRTCP == [rtcpReceiverReport(ssrc: 0x5E4E)])
            #expect(atServer.rejections.total == 0 && atClient.rejections.total == 0)

            try await client.closeDTLS()
            let closed = try await server.wait(timeout: .seconds(5)) { $0.events.last == .closed }
            #expect(closed.events.last == .closed)
        }
    }

    /// Seeds chosen so that both sides lose datagrams early (the client its ClientHello or a
    /// fragment of its second flight, the server a fragment of its first); a 500-byte MTU splits
    /// flights into several datagrams so fragments get lost too.
    @Test(arguments: [(UInt64(5), UInt64(12)), (13, 6)])
    func handshakeCompletesWithTwentyPercentLoss(clientSeed: UInt64, serverSeed: UInt64) async throws {
        var configuration = DTLSConfiguration()
        configuration.mtu = 500
        configuration.initialRetransmissionTimeout = .milliseconds(100)
        configuration.maximumRetransmissionTimeout = .milliseconds(800)
        let start = ContinuousClock.now
        try await Self.withConnectedPeers(
            clientConfiguration: configuration, serverConfiguration: configuration, lossRate: 0.2,
            seeds: (clientSeed, serverSeed), timeout: .seconds(20)
        ) { client, server in
            let clientState = try await client.wait { $0.keys != nil }
            let serverState = try await server.wait { $0.keys != nil }
            #expect(clientState.keys != nil && serverState.keys != nil)
            #expect(clientState.keys?.local == serverState.keys?.remote)
            // The seeds must actually have cost datagrams, or this test proves nothing.
            #expect(clientState.handshakeDatagramsDropped > 0 && serverState.handshakeDatagramsDropped > 0)
            #expect(ContinuousClock.now - start < .seconds(20))
        }
    }

    @Test func tamperedAndReplayedSRTPOverTheWireIsCountedNotDelivered() async throws {
        try await Self.withConnectedPeers { client, server in
            #expect(try await server.snapshot.keys != nil)
            // Capture a protected packet by protecting it with a copy of the client's keys.
            let clientKeys = try #require(try await client.snapshot.keys)
            let copy = try SRTPSession(clientKeys)
            var packet = rtpPacket(ssrc: 77, sequence: 300, payload: [1, 2, 3, 4])
            try copy.protectRTP(&packet)
            var tampered = packet
            tampered[13] ^= 0xFF
            client.sendRaw(tampered, to: server.endpoint.localAddress)
            client.sendRaw(packet, to: server.endpoint.localAddress)
            client.sendRaw(packet, to: server.endpoint.localAddress)
            let state = try await server.wait { $0.rejections.total == 2 && $0.receivedRTP.count == 1 }
            #expect(state.receivedRTP == [rtpPacket(ssrc: 77, sequence: 300, payload: [1, 2, 3, 4])])
            #expect(state.rejections.authenticationFailed == 1)
            #expect(state.rejections.replayed == 1)
        }
    }
}
