import DTLS
import Foundation
import ICE
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RTP
import SDP
import SRTP
import STUN
import UDP
import VP8

/// One WebRTC-compatible peer connection carrying one VP8 video stream: ICE, DTLS-SRTP, RTP and
/// RTCP bundled on one UDP path (BUNDLE, rtcp-mux), as browsers do it.
///
/// The sharer is the offerer (ICE controlling) and only sends; a viewer answers and only receives.
/// Signalling stays outside: the owner moves descriptions and trickled candidates between peers,
/// and hears about candidates, state changes, key frame requests and received frames through `onEvent`.
public final class PeerConnection: Sendable {
    public enum Role: String, Sendable {
        /// Offers, sends video.
        case sharer
        /// Answers, receives video.
        case viewer
    }

    /// The RTCPeerConnectionState vocabulary.
    public enum State: String, Sendable {
        case new, connecting, connected, disconnected, failed, closed
    }

    public enum Event: Sendable, Equatable {
        case stateChanged(State)
        /// A local candidate to trickle to the peer.
        case localCandidate(SDP.Candidate)
        /// Gathering finished: signal end-of-candidates.
        case endOfLocalCandidates
        /// The viewer lost the picture (PLI/FIR): encode a key frame soon.
        case keyFrameRequested
        /// Congestion control moved this viewer's target bitrate (loss in its reports, or its REMB).
        case targetBitrate(Int)
        /// A whole, decodable VP8 frame (viewers).
        case frame(VP8Frame)
    }

    /// A snapshot for status lines and tests.
    public struct Statistics: Sendable {
        public var state: State
        public var selectedPair: CandidatePair?
        public var sender: VideoSender.Statistics?
        public var receiver: VideoReceiver.Statistics?
        /// SRTP/SRTCP and DTLS datagrams dropped, by reason.
        public var drops: SecureTransport.Drops
        public var ice: ICEAgent.Counters
    }

    public enum ConfigurationError: Error, Sendable, Equatable {
        /// The remote description has no usable video section, credentials or SHA-256 fingerprint.
        case unusableRemoteDescription(String)
        /// ``createAnswer()`` needs a remote offer first.
        case noRemoteOffer
        /// The operation belongs to the other role.
        case wrongRole
    }

    public let role: Role
    public let certificate: DTLSCertificate
    private let ice: ICETransport
    private let eventLoop: any EventLoop
    private let core: NIOLockedValueBox<Core>
    private let onEvent: @Sendable (Event) -> Void
    private let ticker = NIOLockedValueBox<RepeatedTask?>(nil)

    /// How often timers run: DTLS retransmissions, NACK/PLI decisions and RTCP reports.
    static let tickInterval: TimeAmount = .milliseconds(20)
    static let reportInterval: Duration = .seconds(1)

    /// Everything that changes, behind one lock. SecureTransport is a class; it never leaves the lock.
    private final class Core: @unchecked Sendable {
        var secure: SecureTransport
        var sender: VideoSender?
        var receiver: VideoReceiver?
        var localDescription: SessionDescription?
        var remoteDescription: SessionDescription?
        var dtlsRole: DTLSRole?
        var remoteFingerprint: Fingerprint?
        var dtlsStarted = false
        /// The secure transport refused to start (e.g. an unsupported fingerprint hash).
        var startFailed = false
        var iceState: ICEConnectionState = .new
        var state: State = .new
        var closed = false
        var nextReport: ContinuousClock.Instant?
        var candidates: [SDP.Candidate] = []
        var gatheringComplete = false
        let sessionID = UInt64.random(in: 1 ... UInt64(Int64.max))

        init(secure: SecureTransport) { self.secure = secure }
    }

    /// Binds the sockets and starts gathering candidates.
    /// - Parameters:
    ///   - certificate: our DTLS certificate; its fingerprint goes into our descriptions.
    ///   - cname: the RTCP CNAME of the stream we send.
    ///   - addresses: local IPs to use; nil for every usable interface.
    ///   - bitrate: the sharer's congestion controller, starting at and bounded by the configured bitrate.
    public static func start(
        role: Role, certificate: DTLSCertificate, cname: String = "glimpse", configuration: ICEConfiguration = .init(),
        bitrate: BitrateController = BitrateController(initial: 2_500_000, maximum: 2_500_000),
        addresses: [IPAddress]? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onEvent: @escaping @Sendable (Event) -> Void
    ) async throws -> PeerConnection {
        let inbox = NIOLockedValueBox<PeerConnection?>(nil)
        let early = NIOLockedValueBox<[ICEEvent]>([])
        let loop = group.next()
        let ice = try await ICETransport.start(
            role: role == .sharer ? .controlling : .controlled, configuration: configuration, addresses: addresses, group: loop,
            onEvent: { event in
                if let connection = inbox.withLockedValue({ $0 }) {
                    connection.iceEvent(event)
                } else {
                    early.withLockedValue { $0.append(event) }
                }
            },
            onData: { bytes, _ in inbox.withLockedValue { $0 }?.received(bytes) })
        let secure = SecureTransport(certificate: certificate)
        let core = Core(secure: secure)
        if role == .sharer { core.sender = VideoSender(cname: cname, bitrate: bitrate) } else { core.receiver = VideoReceiver() }
        let connection = PeerConnection(role: role, certificate: certificate, ice: ice, loop: loop, core: core, onEvent: onEvent)
        // Events from before `inbox` was filled are replayed first, in order, on the loop that reports them.
        try await loop.submit {
            inbox.withLockedValue { $0 = connection }
            for event in early.withLockedValue({ $0 }) { connection.iceEvent(event) }
        }.get()
        connection.ticker.withLockedValue {
            $0 = loop.scheduleRepeatedTask(initialDelay: tickInterval, delay: tickInterval) { [weak connection] _ in connection?.tick() }
        }
        return connection
    }

    private init(role: Role, certificate: DTLSCertificate, ice: ICETransport, loop: any EventLoop, core: Core,
                 onEvent: @escaping @Sendable (Event) -> Void) {
        self.role = role
        self.certificate = certificate
        self.ice = ice
        self.eventLoop = loop
        self.core = NIOLockedValueBox(core)
        self.onEvent = onEvent
    }

    // MARK: Signalling

    /// The sharer's offer: send-only VP8 with NACK, PLI, FIR and REMB feedback, our credentials,
    /// fingerprint and the candidates gathered so far (the rest trickle).
    public func createOffer() throws -> SessionDescription {
        guard role == .sharer else { throw ConfigurationError.wrongRole }
        return core.withLockedValue { core in
            let offer = SessionDescription.offer(local: localParameters(core), direction: .sendonly)
            core.localDescription = offer
            return offer
        }
    }

    /// The viewer's answer to the offer given to ``setRemoteDescription(_:)``: receive-only, DTLS active.
    public func createAnswer() throws -> SessionDescription {
        guard role == .viewer else { throw ConfigurationError.wrongRole }
        let answer = try core.withLockedValue { core in
            guard let offer = core.remoteDescription else { throw ConfigurationError.noRemoteOffer }
            let answer = try SessionDescription.answer(to: offer, local: localParameters(core), wanting: .recvonly, setup: .active)
            guard let offered = offer.media.first.map(offer.effectiveTransport(of:))?.setup, let ours = answer.media.first?.transport.setup else {
                throw ConfigurationError.unusableRemoteDescription("no DTLS setup role")
            }
            core.dtlsRole = try DTLSRole(offer: offered, answer: ours, localIsOfferer: false)
            core.localDescription = answer
            return answer
        }
        startSecureTransportIfReady()
        return answer
    }

    /// The peer's answer (sharer) or offer (viewer): ICE credentials and candidates, the fingerprint
    /// its certificate must match, and the DTLS roles.
    public func setRemoteDescription(_ description: SessionDescription) throws {
        guard let media = description.media.first(where: { $0.kind == "video" && $0.port != 0 }) else {
            throw ConfigurationError.unusableRemoteDescription("no accepted video section")
        }
        let transport = description.effectiveTransport(of: media)
        guard let ufrag = transport.iceUfrag, let pwd = transport.icePwd else {
            throw ConfigurationError.unusableRemoteDescription("no ICE credentials")
        }
        guard let fingerprint = transport.sha256Fingerprint ?? transport.fingerprints.first else {
            throw ConfigurationError.unusableRemoteDescription("no certificate fingerprint")
        }
        try core.withLockedValue { core in
            if role == .sharer {
                guard let setup = transport.setup else { throw ConfigurationError.unusableRemoteDescription("no a=setup") }
                core.dtlsRole = try DTLSRole(offer: .actpass, answer: setup, localIsOfferer: true)
            }
            core.remoteDescription = description
            core.remoteFingerprint = fingerprint
        }
        ice.setRemoteCredentials(ICECredentials(ufrag: ufrag, pwd: pwd))
        for candidate in media.candidates { addRemoteCandidate(candidate) }
        if media.endOfCandidates { addRemoteEndOfCandidates() }
        startSecureTransportIfReady()
    }

    /// A candidate the peer trickled; unusable ones (TCP, mDNS names) are ignored — the peer's checks
    /// still reach us and make it known as peer-reflexive.
    public func addRemoteCandidate(_ candidate: SDP.Candidate) {
        if let usable = ICECandidate(sdp: candidate) { ice.addRemoteCandidate(usable) }
    }

    public func addRemoteEndOfCandidates() {
        ice.addRemoteEndOfCandidates()
    }

    private func localParameters(_ core: Core) -> LocalParameters {
        let credentials = ice.localCredentials
        let source = core.sender.map { sender in
            MediaSource(ssrc: sender.ssrc, cname: sender.cname, streamID: "glimpse", trackID: "screen")
        }
        // No rtx (we retransmit on the original SSRC, RFC 4585) and no header extensions yet.
        let capabilities = MediaCapabilities(codecs: [Codec(payloadType: 96, name: "VP8", clockRate: 90000,
                                                            feedback: [.nack, .pli, .fir, .googREMB])])
        return LocalParameters(iceUfrag: credentials.ufrag, icePwd: credentials.pwd, fingerprint: certificate.fingerprint,
                               sessionID: core.sessionID, source: source, capabilities: capabilities,
                               candidates: core.candidates, endOfCandidates: core.gatheringComplete)
    }

    // MARK: Media

    /// Sends one encoded VP8 frame (sharer). Frames before the connection is up are dropped: the
    /// application sends a key frame when the state becomes connected.
    public func send(frame: [UInt8], capturedAt: ContinuousClock.Instant = .now) {
        let datagrams = core.withLockedValue { core -> [[UInt8]] in
            guard core.secure.state == .connected, core.sender != nil else { return [] }
            return core.sender!.packetize(frame: frame, capturedAt: capturedAt).compactMap { packet in
                var packet = packet
                return (try? core.secure.protectRTP(&packet)).map { packet }
            }
        }
        for datagram in datagrams { ice.send(datagram) }
    }

    public var state: State { core.withLockedValue { $0.state } }

    /// The sharer's congestion-controlled target bitrate for this viewer.
    public var targetBitrate: Int? { core.withLockedValue { $0.sender?.bitrate.target } }

    public var statistics: Statistics {
        let ice = ice.snapshot
        return core.withLockedValue { core in
            Statistics(state: core.state, selectedPair: ice.selectedPair, sender: core.sender?.statistics,
                       receiver: core.receiver?.statistics, drops: core.secure.drops, ice: ice.counters)
        }
    }

    /// Sends close_notify, stops timers and closes the sockets.
    public func close() async {
        perform { core, work in
            guard !core.closed else { return }
            core.closed = true
            core.secure.close()
            drain(core, into: &work)
        }
        ticker.withLockedValue { $0?.cancel(); $0 = nil }
        await ice.close()
    }

    // MARK: The loop

    /// What one step produced: datagrams for the selected pair and events for the application, carried
    /// out after the lock is released so event handlers may call back in.
    private struct Work {
        var datagrams: [[UInt8]] = []
        var events: [Event] = []
    }

    /// Runs `body` on the locked state, notes a state change first among the events, then sends and reports.
    private func perform(_ body: (Core, inout Work) -> Void) {
        let work = core.withLockedValue { core in
            var work = Work()
            body(core, &work)
            if updateState(core) { work.events.insert(.stateChanged(core.state), at: 0) }
            return work
        }
        for datagram in work.datagrams { ice.send(datagram) }
        for event in work.events { onEvent(event) }
    }

    private func iceEvent(_ event: ICEEvent) {
        switch event {
        case .localCandidate(let candidate):
            core.withLockedValue { $0.candidates.append(candidate.sdp) }
            onEvent(.localCandidate(candidate.sdp))
        case .gatheringComplete:
            core.withLockedValue { $0.gatheringComplete = true }
            onEvent(.endOfLocalCandidates)
        case .stateChanged(let state):
            perform { core, _ in core.iceState = state }
            startSecureTransportIfReady()
        case .selectedPairChanged, .roleChanged:
            break
        }
    }

    /// DTLS starts once ICE has a path and signalling has given role and fingerprint.
    private func startSecureTransportIfReady() {
        perform { core, work in
            guard !core.dtlsStarted, !core.closed, core.iceState == .connected,
                  let role = core.dtlsRole, let fingerprint = core.remoteFingerprint else { return }
            core.dtlsStarted = true
            do throws(DTLSError) {
                try core.secure.start(role: role, remoteFingerprint: fingerprint, at: .now)
            } catch {
                core.startFailed = true
                return
            }
            drain(core, into: &work)
        }
    }

    private func received(_ bytes: [UInt8]) {
        perform { core, work in
            core.secure.handle(datagram: bytes, at: .now)
            drain(core, into: &work)
        }
    }

    private func tick() {
        let now = ContinuousClock.now
        let wallclock = NTPTimestamp(unixTime: .seconds(Date().timeIntervalSince1970))
        perform { core, work in
            if let deadline = core.secure.nextDeadline, now >= deadline { core.secure.handleTimeout(at: now) }
            drain(core, into: &work)
            guard core.secure.state == .connected else { return }
            var rtcp: [UInt8]?
            if let sender = core.sender, core.nextReport.map({ now >= $0 }) ?? true {
                core.nextReport = now + Self.reportInterval
                rtcp = sender.report(at: now, wallclock: wallclock)
            }
            if core.receiver != nil { rtcp = core.receiver!.tick(at: now, wallclock: wallclock) }
            if var packet = rtcp, (try? core.secure.protectRTCP(&packet)) != nil { work.datagrams.append(packet) }
        }
    }

    /// Takes what the secure transport produced and feeds media and RTCP to the sender or receiver:
    /// datagrams to send (DTLS, retransmissions) and events (frames, key frame and bitrate requests) go into `work`.
    private func drain(_ core: Core, into work: inout Work) {
        let now = ContinuousClock.now
        while let output = core.secure.poll() {
            switch output {
            case .transmit(let datagram):
                work.datagrams.append(datagram)
            case .event:
                break  // the secure transport's state, read by updateState
            case .rtp(let packet):
                guard core.receiver != nil else { continue }
                work.events += core.receiver!.handle(rtp: packet, at: now).map(Event.frame)
            case .rtcp(let bytes):
                guard let packets = try? RTCPPacket.parseCompound(bytes) else { continue }
                if core.receiver != nil { core.receiver!.handle(rtcp: packets, at: now) }
                guard core.sender != nil else { continue }
                let wallclock = NTPTimestamp(unixTime: .seconds(Date().timeIntervalSince1970))
                let (retransmit, requests) = core.sender!.handle(rtcp: packets, at: now, wallclock: wallclock)
                for var packet in retransmit where (try? core.secure.protectRTP(&packet)) != nil {
                    work.datagrams.append(packet)
                }
                for request in requests {
                    switch request {
                    case .keyFrame: work.events.append(.keyFrameRequested)
                    case .targetBitrate(let bitrate): work.events.append(.targetBitrate(bitrate))
                    }
                }
            }
        }
    }

    /// Recomputes the overall state from ICE's and DTLS's; returns whether it changed.
    private func updateState(_ core: Core) -> Bool {
        let new: State
        if core.closed {
            new = .closed
        } else if core.iceState == .failed || core.secure.state == .failed || core.startFailed {
            new = .failed
        } else if core.iceState == .disconnected {
            new = .disconnected
        } else if core.secure.state == .connected, core.iceState == .connected {
            new = .connected
        } else if core.iceState != .new || core.secure.state == .handshaking {
            new = .connecting
        } else {
            new = .new
        }
        guard new != core.state else { return false }
        core.state = new
        return true
    }
}
