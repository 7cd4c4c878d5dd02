import Foundation
import Logging
import NIOSSL
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

    /// `--tls-cert`/`--tls-key`: the same exchange over wss:// with a certificate made by openssl.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is not installed"))
    func worksOverTLS() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                             "-subj", "/CN=localhost", "-keyout", key, "-out", certificate]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)

        var configuration = RendezvousConfiguration()
        configuration.host = "127.0.0.1"
        configuration.httpPort = 0
        configuration.stunPort = nil
        configuration.tlsCertificatePath = certificate
        configuration.tlsKeyPath = key
        var logger = Logger(label: "test.rendezvous")
        logger.logLevel = .critical
        let server = try await RendezvousServer.start(configuration, logger: logger)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate)
        tls.certificateVerification = .noHostnameVerification
        let client = try await SignallingClient.connect(to: "wss://localhost:\(server.httpPort)/ws", tlsConfiguration: tls)
        var inbox = client.messages.makeAsyncIterator()
        try await client.send(.createSession(CreateSession(displayName: "Ana", device: DeviceInfo(
            os: "Linux", hostName: "h", screenResolution: "800x600", clientKind: "test"))))
        guard case .sessionCreated(let created) = await inbox.next() else { Issue.record("no sessionCreated"); return }
        #expect(created.joinURL.hasPrefix("https://127.0.0.1:\(server.httpPort)/s/"))
        // A client that does not trust the certificate is refused.
        await #expect(throws: (any Error).self) {
            _ = try await SignallingClient.connect(to: "wss://localhost:\(server.httpPort)/ws")
        }
        await client.close()
        await server.close()
    }

    @Test func connectingToNothingFails() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await SignallingClient.connect(to: "ws://127.0.0.1:1/ws")
        }
    }
}
