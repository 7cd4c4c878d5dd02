import Foundation
import Logging
import Rendezvous
import Signalling
import SignallingClient
import Testing

/// `SignallingClient` against the real rendezvous server on loopback.
@Suite struct ClientTests {
    @Test func sharerAndViewerMeetThroughTheServer() async throws {
        var configuration = RendezvousConfiguration()
        configuration.host = "127.0.0.1"
        configuration.httpPort = 0
        configuration.stunPort = nil
        var logger = Logger(label: "test.rendezvous")
        logger.logLevel = .critical
        let server = try await RendezvousServer.start(configuration, logger: logger)
        let url = "ws://127.0.0.1:\(server.httpPort)/ws"

        let sharer = try await SignallingClient.connect(to: url)
        var sharerInbox = sharer.messages.makeAsyncIterator()
        try await sharer.send(.createSession(CreateSession(displayName: "Ana", device: DeviceInfo(
            os: "Linux", hostName: "h", screenResolution: "800x600", clientKind: "test"))))
        guard case .sessionCreated(let created) = await sharerInbox.next() else { Issue.record("no sessionCreated"); return }

        let viewer = try await SignallingClient.connect(to: url)
        var viewerInbox = viewer.messages.makeAsyncIterator()
        try await viewer.send(.join(Join(sessionID: created.sessionID, joinToken: created.joinToken, viewerName: "Bo")))
        guard case .joined(let joined) = await viewerInbox.next() else { Issue.record("no joined"); return }
        #expect(await sharerInbox.next() == .peerJoined(PeerJoined(viewerID: joined.viewerID, viewerName: "Bo")))

        let offer = SessionDescriptionMessage(viewerID: joined.viewerID, sdp: "v=0\r\n" + String(repeating: "a=x\r\n", count: 2000))
        try await sharer.send(.offer(offer))
        #expect(await viewerInbox.next() == .offer(offer))

        await viewer.close()
        #expect(await sharerInbox.next() == .peerLeft(PeerLeft(viewerID: joined.viewerID)))
        await sharer.close()
        #expect(await sharerInbox.next() == nil, "the stream ends with the connection")
        await server.close()
    }

    @Test func connectingToNothingFails() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await SignallingClient.connect(to: "ws://127.0.0.1:1/ws")
        }
    }
}
