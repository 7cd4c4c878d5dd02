import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import Rendezvous
import Signalling
import SignallingClient
import Testing

/// The signalling hub on real sockets: WebSocket clients against a running server.
@Suite struct HubTests {
    @Test func createJoinAndRelayBothWays() async throws {
        let server = try await TestServer()
        let (sharer, viewer, created, viewerID) = try await sessionWithViewer(server)
        #expect(created.joinURL == "\(server.base)/s/\(created.sessionID)#\(created.joinToken)")
        #expect(created.resumed == false)
        #expect(created.joinToken != created.sharerToken)

        try await sharer.send(.offer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 offer")))
        #expect(try await viewer.next() == .offer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 offer")))
        // A viewer cannot speak for another: the server stamps its own id over what it wrote.
        try await viewer.send(.answer(SessionDescriptionMessage(viewerID: "someone-else", sdp: "v=0 answer")))
        #expect(try await sharer.next() == .answer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 answer")))

        let candidate = CandidateMessage(viewerID: viewerID, candidate: "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0)
        try await sharer.send(.candidate(candidate))
        #expect(try await viewer.next() == .candidate(candidate))
        try await viewer.send(.candidate(candidate))
        #expect(try await sharer.next() == .candidate(candidate))
        try await viewer.send(.endOfCandidates(EndOfCandidates(viewerID: "")))
        #expect(try await sharer.next() == .endOfCandidates(EndOfCandidates(viewerID: viewerID)))
        try await sharer.send(.endOfCandidates(EndOfCandidates(viewerID: viewerID)))
        #expect(try await viewer.next() == .endOfCandidates(EndOfCandidates(viewerID: viewerID)))

        // Addressing a viewer that is not in the session is refused.
        try await sharer.send(.offer(SessionDescriptionMessage(viewerID: "nobody", sdp: "x")))
        #expect(try await sharer.nextError() == .unknownViewer)

        await viewer.close()
        #expect(try await sharer.next() == .peerLeft(PeerLeft(viewerID: viewerID)))
        await sharer.close()
        await server.close()
    }

    @Test func twoViewersEachGetTheirOwnOffer() async throws {
        let server = try await TestServer()
        let (sharer, first, created, firstID) = try await sessionWithViewer(server)
        let second = try await server.peer()
        try await second.send(.join(Join(sessionID: created.sessionID, joinToken: created.joinToken, viewerName: "Cy")))
        let secondID = try #require(try await second.next().joined).viewerID
        #expect(try await sharer.next() == .peerJoined(PeerJoined(viewerID: secondID, viewerName: "Cy")))
        try await sharer.send(.offer(SessionDescriptionMessage(viewerID: secondID, sdp: "for second")))
        try await sharer.send(.offer(SessionDescriptionMessage(viewerID: firstID, sdp: "for first")))
        #expect(try await second.next() == .offer(SessionDescriptionMessage(viewerID: secondID, sdp: "for second")))
        #expect(try await first.next() == .offer(SessionDescriptionMessage(viewerID: firstID, sdp: "for first")))
        #expect(second.all.count == 2)  // joined + its own offer, nothing of the other viewer's
        await server.close()
    }

    @Test func wrongTokenAndUnknownSessionAreRefusedAndTheConnectionStays() async throws {
        let server = try await TestServer()
        let sharer = try await server.peer()
        try await sharer.send(.createSession(CreateSession(displayName: "Ana", device: testDevice)))
        let created = try #require(try await sharer.next().sessionCreated)

        let viewer = try await server.peer()
        try await viewer.send(.join(Join(sessionID: created.sessionID, joinToken: "guess", viewerName: "Eve")))
        #expect(try await viewer.nextError() == .wrongToken)
        // The sharer's token is not a join token either.
        try await viewer.send(.join(Join(sessionID: created.sessionID, joinToken: created.sharerToken, viewerName: "Eve")))
        #expect(try await viewer.nextError() == .wrongToken)
        try await viewer.send(.join(Join(sessionID: "nosuchsess", joinToken: created.joinToken, viewerName: "Eve")))
        #expect(try await viewer.nextError() == .unknownSession)
        try await viewer.send(.join(Join(sessionID: created.sessionID, joinToken: created.joinToken, viewerName: "Bo")))
        #expect(try await viewer.next().joined?.sessionID == created.sessionID)
        // Messages only a server sends, or that need another role, are refused.
        try await viewer.send(.status(StatusReport(source: "x", width: 1, height: 1, framesPerSecond: 1, bitsPerSecond: 1, active: true, viewers: [])))
        #expect(try await viewer.nextError() == .notAllowed)
        try await viewer.send(.createSession(CreateSession(displayName: "again", device: testDevice)))
        #expect(try await viewer.nextError() == .notAllowed)
        await server.close()
    }

    @Test func malformedMessagesGetErrorsAndTheConnectionStays() async throws {
        let server = try await TestServer()
        let peer = try await server.peer()
        try await peer.client.send(text: "not json")
        #expect(try await peer.nextError() == .malformed)
        try await peer.client.send(text: #"{"v":1,"type":"join","sessionID":"x"}"#)
        guard case .error(let missing) = try await peer.next() else { Issue.record("no error"); return }
        #expect(missing.code == .malformed && missing.message.contains("joinToken"))
        try await peer.client.send(text: #"{"v":9,"type":"join"}"#)
        #expect(try await peer.nextError() == .unsupportedVersion)
        try await peer.send(.createSession(CreateSession(displayName: "Ana", device: testDevice)))
        #expect(try await peer.next().sessionCreated != nil)
        await server.close()
    }

    @Test func oversizedMessagesAreRefusedAndTheConnectionStays() async throws {
        let server = try await TestServer { $0.limits.maxMessageBytes = 1024 }
        let peer = try await server.peer()
        try await peer.client.send(text: String(repeating: "x", count: 2000))
        #expect(try await peer.nextError() == .tooLarge)
        try await peer.send(.createSession(CreateSession(displayName: "Ana", device: testDevice)))
        #expect(try await peer.next().sessionCreated != nil)
        // Far beyond the limit the WebSocket layer itself closes the connection (1009).
        try await peer.client.send(text: String(repeating: "y", count: 10_000))
        let end = ContinuousClock.now + .seconds(5)
        while !peer.isClosed && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
        #expect(peer.isClosed)
        await server.close()
    }

    /// Raw frames: invalid UTF-8 in a text frame and a binary frame.
    @Test func invalidUTF8AndBinaryFramesAreRefused() async throws {
        let server = try await TestServer()
        let collected = NIOLockedValueBox<[String]>([])
        try await WebSocketClient.connect(url: server.webSocketURL, logger: Logger(label: "test")) { inbound, outbound, _ in
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: [0x7B, 0xFF, 0xFE, 0x7D]))))
            try await outbound.write(.binary(ByteBuffer(string: "{}")))
            try await outbound.write(.text(Message.createSession(CreateSession(displayName: "A", device: testDevice)).encoded))
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                if collected.withLockedValue({ $0.append(text); return $0.count }) == 3 { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let replies = collected.withLockedValue { $0 }
        let messages = try replies.map { try Message(parsing: $0) }
        #expect(messages.count == 3)
        guard messages.count == 3 else { return }
        if case .error(let error) = messages[0] { #expect(error.code == .invalidUTF8) } else { Issue.record("\(messages[0])") }
        if case .error(let error) = messages[1] { #expect(error.code == .malformed) } else { Issue.record("\(messages[1])") }
        #expect(messages[2].sessionCreated != nil)
        await server.close()
    }

    @Test func floodsAreRateLimitedAndTheConnectionRecovers() async throws {
        let server = try await TestServer {
            $0.limits.messagesPerSecond = 10
            $0.limits.messageBurst = 20
        }
        let peer = try await server.peer()
        let refused = Message.peerLeft(PeerLeft(viewerID: "x"))  // a client may not send this: each gets notAllowed
        for _ in 0..<100 { try await peer.send(refused) }
        #expect(try await peer.nextError() == .notAllowed)
        let end = ContinuousClock.now + .seconds(3)
        while !peer.all.contains(where: { if case .error(let e) = $0 { e.code == .rateLimited } else { false } }), ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(20))
        }
        let codes = peer.all.compactMap { if case .error(let e) = $0 { e.code } else { nil } }
        #expect(codes.contains(.rateLimited))
        #expect(codes.filter { $0 == .notAllowed }.count < 40, "most of the flood was dropped unread")
        #expect(codes.filter { $0 == .rateLimited }.count <= 2, "the limit is announced at most once a second")
        try await Task.sleep(for: .milliseconds(1500))
        try await peer.send(.createSession(CreateSession(displayName: "Ana", device: testDevice)))
        #expect(try await peer.next(where: { $0.sessionCreated != nil }).sessionCreated != nil)
        await server.close()
    }

    @Test func aSharerThatReconnectsInTimeKeepsItsSession() async throws {
        let server = try await TestServer { $0.limits.resumeGrace = .seconds(30) }
        let (sharer, viewer, created, viewerID) = try await sessionWithViewer(server)
        await sharer.close()
        let grey = try await server.rows { $0.first?.status == .grey }
        #expect(grey.first?.sessionID == created.sessionID)

        let returning = try await server.peer()
        try await returning.send(.resume(Resume(sessionID: created.sessionID, sharerToken: created.joinToken)))
        #expect(try await returning.nextError() == .wrongToken)
        try await returning.send(.resume(Resume(sessionID: "nosuchsess", sharerToken: created.sharerToken)))
        #expect(try await returning.nextError() == .unknownSession)
        try await returning.send(.resume(Resume(sessionID: created.sessionID, sharerToken: created.sharerToken)))
        let resumed = try #require(try await returning.next().sessionCreated)
        #expect(resumed.sessionID == created.sessionID && resumed.resumed && resumed.joinToken == created.joinToken)
        // The viewer that stayed is announced again so the sharer offers anew.
        #expect(try await returning.next() == .peerJoined(PeerJoined(viewerID: viewerID, viewerName: "Bo")))
        try await returning.send(.offer(SessionDescriptionMessage(viewerID: viewerID, sdp: "again")))
        #expect(try await viewer.next() == .offer(SessionDescriptionMessage(viewerID: viewerID, sdp: "again")))
        _ = try await server.rows { $0.first?.status == .blue }
        await server.close()
    }

    @Test func aSessionEndsWhenItsSharerStaysAway() async throws {
        let server = try await TestServer { $0.limits.resumeGrace = .seconds(1) }
        let (sharer, viewer, created, _) = try await sessionWithViewer(server)
        await sharer.close()
        #expect(try await viewer.next(timeout: .seconds(5)) == .sessionEnded(SessionEnded(sessionID: created.sessionID)))
        #expect(await server.server.store.count() == 0)
        let late = try await server.peer()
        try await late.send(.resume(Resume(sessionID: created.sessionID, sharerToken: created.sharerToken)))
        #expect(try await late.nextError() == .unknownSession)
        await server.close()
    }

    @Test func limitsOnSessionsAndViewers() async throws {
        let server = try await TestServer {
            $0.limits.maxSessions = 1
            $0.limits.maxViewersPerSession = 1
        }
        let (_, _, created, _) = try await sessionWithViewer(server)
        let second = try await server.peer()
        try await second.send(.createSession(CreateSession(displayName: "Cy", device: testDevice)))
        #expect(try await second.nextError() == .sessionLimit)
        try await second.send(.join(Join(sessionID: created.sessionID, joinToken: created.joinToken, viewerName: "Cy")))
        #expect(try await second.nextError() == .viewerLimit)
        await server.close()
    }
}
