import DTLS
import ICE
import Logging
import PeerConnection
import Rendezvous
import Signalling
import STUN
import Testing
import TestSupport
import Foundation
import VP8
@testable import Sharing

/// Synthetic VP8 frames: bit 0 of the first byte is the P bit, 0 for key frames (RFC 7741 §4.3).
func frame(_ index: Int, key: Bool) -> [UInt8] {
    var bytes = (0..<2500).map { UInt8(truncatingIfNeeded: $0 &+ index) }
    bytes[0] = key ? 0x10 : 0x11
    return bytes
}

@Suite struct SessionTests {
    static let loopback = [IPAddress("127.0.0.1")!]

    static func server() async throws -> RendezvousServer {
        var configuration = RendezvousConfiguration()
        configuration.host = "127.0.0.1"
        configuration.httpPort = 0
        configuration.stunPort = nil
        var logger = Logger(label: "test.rendezvous")
        logger.logLevel = .critical
        return try await RendezvousServer.start(configuration, logger: logger)
    }

    /// One sharer, two native viewers through a real rendezvous server: each viewer connects, gets a
    /// key frame first, and then every frame, byte for byte; one leaving does not disturb the other.
    @Test func sharerStreamsToTwoViewers() async throws {
        let server = try await Self.server()
        let sharerEvents = Recorder<ShareSession.Event>()
        let share = try await ShareSession.start(
            .init(signallingURL: "ws://127.0.0.1:\(server.httpPort)/ws", displayName: "Tester",
                  device: DeviceInfo(os: "Linux", hostName: "test", screenResolution: "64x64", clientKind: "glimpse-cli"),
                  addresses: Self.loopback),
            certificate: try .generateSelfSigned(), onEvent: { sharerEvents.record($0) })
        let link = try #require(JoinLink(share.session.joinURL))
        #expect(link.sessionID == share.session.sessionID)

        var viewers: [(ViewSession, Recorder<ViewSession.Event>)] = []
        for name in ["Ana", "Ben"] {
            let events = Recorder<ViewSession.Event>()
            let viewer = try await ViewSession.join(link, name: name, certificate: try .generateSelfSigned(), addresses: Self.loopback,
                                                    onEvent: { events.record($0) })
            viewers.append((viewer, events))
        }
        #expect(try await eventually(.seconds(15)) { share.summaries.count == 2 && share.summaries.allSatisfy { $0.state == .connected } })

        // The capture loop in miniature: a key frame whenever one is asked for, else delta frames.
        var sent: [[UInt8]] = []
        for index in 0..<40 {
            let bytes = frame(index, key: share.takeKeyFrameRequest() || index == 0)
            sent.append(bytes)
            share.send(frame: bytes, capturedAt: .now)
            try await Task.sleep(for: .milliseconds(10))
        }
        for (_, events) in viewers {
            let received = { events.events.compactMap { if case .frame(let f) = $0 { f.data } else { nil } } }
            #expect(try await eventually(.seconds(15)) { received().count == sent.count })
            #expect(received() == sent)
        }
        #expect(sharerEvents.events.contains(.viewerJoined(id: share.summaries[0].id, name: share.summaries[0].name)))

        await viewers[0].0.close()
        #expect(try await eventually(.seconds(15)) { sharerEvents.events.contains { if case .viewerLeft = $0 { true } else { false } } })
        #expect(share.summaries.count == 1)
        share.send(frame: frame(99, key: false), capturedAt: .now)
        let remaining = viewers[1].1
        let frames = { remaining.events.compactMap { if case .frame(let f) = $0 { f.data } else { nil } } }
        #expect(try await eventually(.seconds(15)) { frames().last == frame(99, key: false) })
        await viewers[1].0.close()
        await share.close()
        await server.close()
    }

    /// The sharer's signalling connection is cut (a proxy in its path is killed): the share resumes with
    /// the same session id once the path is back, offers again to its viewer, and frames keep arriving.
    @Test func shareResumesAfterLosingTheServer() async throws {
        let server = try await Self.server()
        let port = Int.random(in: 30000...39999)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tools/interop/tcp_proxy.py").standardized.path
        var proxy = try LineProcess(["python3", script, "\(port)", "\(server.httpPort)"])
        _ = try await proxy.next("listening")
        let sharerEvents = Recorder<ShareSession.Event>()
        let share = try await ShareSession.start(
            .init(signallingURL: "ws://127.0.0.1:\(port)/ws", displayName: "Tester",
                  device: DeviceInfo(os: "Linux", hostName: "test", screenResolution: "64x64", clientKind: "glimpse-cli"),
                  addresses: Self.loopback),
            certificate: try .generateSelfSigned(), onEvent: { sharerEvents.record($0) })
        let viewerEvents = Recorder<ViewSession.Event>()
        let viewer = try await ViewSession.join(try #require(JoinLink(share.session.joinURL)), name: "Ana",
                                                certificate: try .generateSelfSigned(), addresses: Self.loopback,
                                                onEvent: { viewerEvents.record($0) })
        #expect(try await eventually(.seconds(15)) { share.summaries.first?.state == .connected })

        proxy.kill()
        #expect(try await eventually(.seconds(15)) { sharerEvents.events.contains(.disconnected) })
        proxy = try LineProcess(["python3", script, "\(port)", "\(server.httpPort)"])
        _ = try await proxy.next("listening")
        #expect(try await eventually(.seconds(15)) { sharerEvents.events.contains(.resumed) })
        #expect(try await eventually(.seconds(15)) { share.summaries.first?.state == .connected })

        let frames = { viewerEvents.events.compactMap { if case .frame(let f) = $0 { f.data } else { nil } } }
        let before = frames().count
        for index in 0..<10 {
            share.send(frame: frame(index, key: share.takeKeyFrameRequest() || index == 0), capturedAt: .now)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await eventually(.seconds(15)) { frames().count >= before + 10 })
        let stored = try #require(await server.store.session(share.session.sessionID))
        #expect(stored.id == share.session.sessionID)
        await viewer.close()
        await share.close()
        proxy.kill()
        await server.close()
    }

    @Test func joinLinksInBothForms() throws {
        let fragment = try #require(JoinLink("https://glimpse.example/s/abc123#tok-en"))
        #expect(fragment == JoinLink(sessionID: "abc123", joinToken: "tok-en", signallingURL: "wss://glimpse.example/ws"))
        let query = try #require(JoinLink("http://127.0.0.1:8080/join/abc123?t=tok"))
        #expect(query.signallingURL == "ws://127.0.0.1:8080/ws" && query.joinToken == "tok")
        #expect(JoinLink("http://h/s/abc") == nil)  // no token
        #expect(JoinLink("http://h/other/abc#t") == nil)
        #expect(JoinLink("not a link") == nil)
        #expect(JoinLink.signallingURL(server: "http://[::1]:8080") == "ws://[::1]:8080/ws")
    }
}
