import DTLS
import ICE
import TestSupport
import SDP
import STUN
import Testing
import UDP
import VP8
@testable import PeerConnection

/// Events one peer connection reported.
typealias EventLog = Recorder<PeerConnection.Event>

extension Recorder<PeerConnection.Event> {
    var frames: [VP8Frame] { events.compactMap { if case .frame(let f) = $0 { f } else { nil } } }
    var gathered: Bool { events.contains(.endOfLocalCandidates) }
}

@Suite struct PeerConnectionTests {
    static let loopback = [IPAddress("127.0.0.1")!]

    /// Starts both sides, waits for gathering, and exchanges descriptions as SDP text (candidates inside).
    /// With a relay, each side is told the relay's address instead of the other's.
    static func connect(relay: ImpairedLink? = nil, bitrate: BitrateController = BitrateController(initial: 2_500_000, maximum: 2_500_000)) async throws -> (PeerConnection, EventLog, PeerConnection, EventLog) {
        let sharerLog = EventLog(), viewerLog = EventLog()
        let sharer = try await PeerConnection.start(role: .sharer, certificate: .generateSelfSigned(), bitrate: bitrate, addresses: loopback,
                                                    onEvent: { sharerLog.record($0) })
        let viewer = try await PeerConnection.start(role: .viewer, certificate: .generateSelfSigned(), addresses: loopback,
                                                    onEvent: { viewerLog.record($0) })
        #expect(try await eventually { sharerLog.gathered && viewerLog.gathered })
        var offer = try SessionDescription(parsing: try sharer.createOffer().serialized)
        let sharerCandidate = try #require(offer.media[0].candidates.first)
        if let relay { redirect(&offer, to: relay.endpoint.localAddress) }
        try viewer.setRemoteDescription(offer)
        var answer = try SessionDescription(parsing: try viewer.createAnswer().serialized)
        if let relay {
            let viewerCandidate = try #require(answer.media[0].candidates.first)
            relay.connect(sharer: TransportAddress(sharerCandidate.address, port: sharerCandidate.port)!,
                          viewer: TransportAddress(viewerCandidate.address, port: viewerCandidate.port)!)
            redirect(&answer, to: relay.endpoint.localAddress)
        }
        try sharer.setRemoteDescription(answer)
        return (sharer, sharerLog, viewer, viewerLog)
    }

    static func redirect(_ description: inout SessionDescription, to address: TransportAddress) {
        for i in description.media[0].candidates.indices {
            description.media[0].candidates[i].address = address.ip.description
            description.media[0].candidates[i].port = address.port
        }
    }

    static func connected(_ a: EventLog, _ b: EventLog) async throws -> Bool {
        try await eventually { a.events.contains(.stateChanged(.connected)) && b.events.contains(.stateChanged(.connected)) }
    }

    @Test func sharerStreamsToViewerOverLoopback() async throws {
        let (sharer, sharerLog, viewer, viewerLog) = try await Self.connect()
        #expect(try await Self.connected(sharerLog, viewerLog))
        let frames = (0..<20).map { syntheticFrame($0, key: $0 == 0, size: 200 + 700 * ($0 % 7)) }
        for frame in frames {
            sharer.send(frame: frame)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try await eventually { viewerLog.frames.count == frames.count })
        #expect(viewerLog.frames.map(\.data) == frames)
        // RTCP flows both ways: the sharer hears reception reports and learns the round-trip time.
        #expect(try await eventually { sharer.statistics.sender?.roundTripTime != nil })
        #expect(sharer.statistics.selectedPair != nil && viewer.statistics.drops.total == 0)
        await viewer.close()
        await sharer.close()
        #expect(sharerLog.events.last == .stateChanged(.closed))
    }

    /// 10 % of the sharer's RTP is lost on the way; NACK retransmissions make every frame arrive.
    @Test func lostPacketsAreRecoveredByRetransmission() async throws {
        let relay = try await ImpairedLink(Impairment(mediaOnly: true))
        let (sharer, sharerLog, viewer, viewerLog) = try await Self.connect(relay: relay)
        #expect(try await Self.connected(sharerLog, viewerLog))
        let frames = (0..<30).map { syntheticFrame($0, key: $0 == 0, size: 2500) }
        // The key frame gets through whole (a lost first packet is only noticed by PLI, tested below); then
        // 10 % loss. A lost tail packet is noticed only when later packets arrive, as with any RTP stream.
        for (index, frame) in (frames + (30..<40).map({ syntheticFrame($0, key: false, size: 100) })).enumerated() {
            if index == 1 { relay.setLoss(0.1) }
            sharer.send(frame: frame)
            try await Task.sleep(for: .milliseconds(15))
        }
        #expect(try await eventually { viewerLog.frames.count >= frames.count })
        #expect(Array(viewerLog.frames.map(\.data).prefix(frames.count)) == frames)
        #expect(relay.dropped > 0)
        #expect((sharer.statistics.sender?.retransmissions ?? 0) > 0)
        #expect((viewer.statistics.receiver?.nacksSent ?? 0) > 0)
        await sharer.close()
        await viewer.close()
    }

    @Test func viewerThatLosesAKeyFrameAsksForAnother() async throws {
        // Every packet of the first frames is lost, then nothing more: the viewer must ask with PLI.
        let relay = try await ImpairedLink(Impairment(mediaOnly: true))
        let (sharer, sharerLog, viewer, viewerLog) = try await Self.connect(relay: relay)
        #expect(try await Self.connected(sharerLog, viewerLog))
        relay.setLoss(1)
        sharer.send(frame: syntheticFrame(0, key: true, size: 3000))
        try await Task.sleep(for: .milliseconds(50))
        relay.setLoss(0)
        sharer.send(frame: syntheticFrame(1, key: false, size: 3000))
        #expect(try await eventually { sharerLog.events.contains(.keyFrameRequested) })
        let key = syntheticFrame(2, key: true, size: 3000)
        sharer.send(frame: key)
        #expect(try await eventually { viewerLog.frames.first?.data == key })
        await sharer.close()
        await viewer.close()
    }

    @Test func descriptionsThatCannotWorkAreRefused() async throws {
        let viewer = try await PeerConnection.start(role: .viewer, certificate: .generateSelfSigned(), addresses: Self.loopback,
                                                    onEvent: { _ in })
        #expect(throws: PeerConnection.ConfigurationError.noRemoteOffer) { try viewer.createAnswer() }
        #expect(throws: PeerConnection.ConfigurationError.wrongRole) { try viewer.createOffer() }
        let audioOnly = try SessionDescription(parsing: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n")
        #expect(throws: PeerConnection.ConfigurationError.self) { try viewer.setRemoteDescription(audioOnly) }
        await viewer.close()
    }
}
