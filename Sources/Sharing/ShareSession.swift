import DTLS
import Foundation
import ICE
import NIOConcurrencyHelpers
import PeerConnection
import SDP
import STUN
import Signalling
import SignallingClient

/// The sharer's side of a session: registers with the rendezvous server, opens one peer connection
/// per viewer that joins (the sharer offers), and fans every encoded frame out to the connected ones.
///
/// The owner encodes once for everyone; ``takeKeyFrameRequest()`` says when the next frame must be a
/// key frame (a viewer connected or lost the picture), and ``targetBitrate`` is the lowest any viewer's
/// congestion control allows.
///
/// Media does not pass through the server, so a lost signalling connection does not stop the picture:
/// the session reconnects and resumes (keeping its id and link) within ``resumeWindow``, and offers
/// again to the viewers the server announces.
public final class ShareSession: Sendable {
    public struct Configuration: Sendable {
        public var signallingURL: String
        public var displayName: String
        public var device: DeviceInfo
        public var ice: ICEConfiguration
        /// Local IPs for media; nil for every usable interface.
        public var addresses: [IPAddress]?
        public var maximumBitrate: Int

        public init(signallingURL: String, displayName: String, device: DeviceInfo, ice: ICEConfiguration = .init(),
                    addresses: [IPAddress]? = nil, maximumBitrate: Int = 2_500_000) {
            self.signallingURL = signallingURL
            self.displayName = displayName
            self.device = device
            self.ice = ice
            self.addresses = addresses
            self.maximumBitrate = maximumBitrate
        }
    }

    /// One viewer as the sharer sees it.
    public struct ViewerSummary: Sendable, Equatable {
        public var id: String
        public var name: String
        public var state: PeerConnection.State
        public var roundTripTime: Duration?
        public var fractionLost: Double
        public var targetBitrate: Int
    }

    public enum Event: Sendable, Equatable {
        case viewerJoined(id: String, name: String)
        case viewerLeft(id: String)
        case viewerStateChanged(id: String, PeerConnection.State)
        /// The server refused something or closed the session.
        case error(String)
        /// The signalling connection dropped; the session tries to resume.
        case disconnected
        /// Reconnected to the server with the same session id.
        case resumed
        /// The session could not be resumed: it has ended.
        case ended
    }

    public let session: SessionCreated
    private let configuration: Configuration
    /// The current signalling connection; replaced when the session resumes after a drop.
    private let client: NIOLockedValueBox<SignallingClient>
    private let certificate: DTLSCertificate
    private let viewers = NIOLockedValueBox<[String: Viewer]>([:])
    private let keyFrameWanted = NIOLockedValueBox(false)
    private let onEvent: @Sendable (Event) -> Void
    private let loop = NIOLockedValueBox<Task<Void, Never>?>(nil)

    private struct Viewer: Sendable {
        var name: String
        var connection: PeerConnection?
        /// Signalling that arrived before the peer connection existed, applied once it does.
        var early: [Signalling.Message] = []
    }

    /// Connects to the server and creates the session; its join link is in ``session``.
    public static func start(_ configuration: Configuration, certificate: DTLSCertificate,
                             onEvent: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> ShareSession {
        let client = try await SignallingClient.connect(to: configuration.signallingURL)
        try await client.send(.createSession(CreateSession(displayName: configuration.displayName, device: configuration.device)))
        // The stream has one consumer at a time: this loop until the session exists, then `serve()`.
        for await message in client.messages {
            switch message {
            case .sessionCreated(let created):
                let share = ShareSession(session: created, configuration: configuration, client: client,
                                         certificate: certificate, onEvent: onEvent)
                share.loop.withLockedValue { $0 = Task { await share.serve() } }
                return share
            case .error(let error):
                await client.close()
                throw ShareError.refused(error.message)
            default:
                continue
            }
        }
        throw ShareError.refused("the server closed the connection")
    }

    private init(session: SessionCreated, configuration: Configuration, client: SignallingClient,
                 certificate: DTLSCertificate, onEvent: @escaping @Sendable (Event) -> Void) {
        self.session = session
        self.configuration = configuration
        self.client = NIOLockedValueBox(client)
        self.certificate = certificate
        self.onEvent = onEvent
    }

    // MARK: Media

    /// Sends one encoded frame to every viewer whose connection is up.
    public func send(frame: [UInt8], capturedAt: ContinuousClock.Instant) {
        for connection in viewers.withLockedValue({ $0.values.compactMap(\.connection) }) where connection.state == .connected {
            connection.send(frame: frame, capturedAt: capturedAt)
        }
    }

    /// Whether the next frame must be a key frame; asking clears the request.
    public func takeKeyFrameRequest() -> Bool {
        keyFrameWanted.withLockedValue { wanted in defer { wanted = false }; return wanted }
    }

    /// The bitrate the slowest connected viewer's congestion control allows (the configured maximum without viewers).
    /// Read for every encoded frame, so it asks each connection only for its state and target, not full statistics.
    public var targetBitrate: Int {
        viewers.withLockedValue { $0.values.compactMap(\.connection) }.filter { $0.state == .connected }
            .compactMap(\.targetBitrate).min() ?? configuration.maximumBitrate
    }

    public var summaries: [ViewerSummary] {
        viewers.withLockedValue { $0 }.compactMap { id, viewer in
            guard let connection = viewer.connection else { return nil }
            let statistics = connection.statistics
            return ViewerSummary(id: id, name: viewer.name, state: statistics.state,
                                 roundTripTime: statistics.sender?.roundTripTime,
                                 fractionLost: statistics.sender?.fractionLost ?? 0,
                                 targetBitrate: connection.targetBitrate ?? configuration.maximumBitrate)
        }.sorted { $0.id < $1.id }
    }

    /// Tells the server (and so Live View) what is shared and how it goes.
    public func report(source: String, width: Int, height: Int, framesPerSecond: Double, bitsPerSecond: Int, active: Bool) async {
        let viewers = summaries.map { summary in
            ViewerStatus(viewerID: summary.id, state: summary.state.rawValue,
                         rttMilliseconds: summary.roundTripTime.map { $0 / .milliseconds(1) }, lossFraction: summary.fractionLost)
        }
        try? await signalling.send(.status(StatusReport(source: source, width: width, height: height, framesPerSecond: framesPerSecond,
                                                    bitsPerSecond: bitsPerSecond, active: active, viewers: viewers)))
    }

    /// Ends the session: every peer connection and the signalling connection close.
    public func close() async {
        loop.withLockedValue { $0?.cancel() }
        let connections = viewers.withLockedValue { viewers in defer { viewers = [:] }; return viewers.values.compactMap(\.connection) }
        for connection in connections { await connection.close() }
        await signalling.close()
    }

    private var signalling: SignallingClient { client.withLockedValue { $0 } }

    /// How long the session keeps trying to resume: the server's default grace period for a lost sharer.
    public static let resumeWindow: Duration = .seconds(15)

    // MARK: Signalling

    private func serve() async {
        while !Task.isCancelled {
            for await message in signalling.messages { await handle(message) }
            guard !Task.isCancelled else { return }
            onEvent(.disconnected)
            guard await resume() else {
                onEvent(.ended)
                return
            }
            onEvent(.resumed)
        }
    }

    /// Reconnects with backoff and sends `resume` until the server takes the session back or the window closes.
    private func resume() async -> Bool {
        let end = ContinuousClock.now + Self.resumeWindow
        var delay = Duration.milliseconds(200)
        while ContinuousClock.now < end, !Task.isCancelled {
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
            guard let client = try? await SignallingClient.connect(to: configuration.signallingURL) else { continue }
            try? await client.send(.resume(Resume(sessionID: session.sessionID, sharerToken: session.sharerToken)))
            for await message in client.messages {
                if case .sessionCreated(let created) = message, created.resumed, created.sessionID == session.sessionID {
                    self.client.withLockedValue { $0 = client }
                    return true
                }
                if case .error(let error) = message {
                    onEvent(.error(error.message))
                    await client.close()
                    return false
                }
            }
        }
        return false
    }

    private func handle(_ message: Signalling.Message) async {
        switch message {
        case .peerJoined(let peer):
            // After a resume the server announces the viewers again: each gets a fresh offer and connection.
            let previous = viewers.withLockedValue { viewers in
                defer { viewers[peer.viewerID] = Viewer(name: peer.viewerName) }
                return viewers[peer.viewerID]?.connection
            }
            await previous?.close()
            onEvent(.viewerJoined(id: peer.viewerID, name: peer.viewerName))
            await offer(to: peer.viewerID)
        case .peerLeft(let peer):
            if let connection = viewers.withLockedValue({ $0.removeValue(forKey: peer.viewerID)?.connection }) {
                await connection.close()
            }
            onEvent(.viewerLeft(id: peer.viewerID))
        case .answer(let answer):
            deliver(message, to: answer.viewerID)
        case .candidate(let candidate):
            deliver(message, to: candidate.viewerID)
        case .endOfCandidates(let end):
            deliver(message, to: end.viewerID)
        case .error(let error):
            onEvent(.error(error.message))
        case .sessionEnded:
            onEvent(.error("the session ended"))
        default:
            break
        }
    }

    /// Starts a peer connection for a viewer and sends it our offer; candidates trickle after it.
    private func offer(to viewerID: String) async {
        let client = self.client, onEvent = self.onEvent, keyFrameWanted = self.keyFrameWanted
        let signal: @Sendable (Signalling.Message) -> Void = { message in
            Task { try? await client.withLockedValue { $0 }.send(message) }
        }
        do {
            let connection = try await PeerConnection.start(
                role: .sharer, certificate: certificate, cname: "glimpse", configuration: configuration.ice,
                bitrate: BitrateController(initial: configuration.maximumBitrate, maximum: configuration.maximumBitrate),
                addresses: configuration.addresses,
                onEvent: { event in
                    switch event {
                    case .localCandidate(let candidate):
                        signal(.candidate(CandidateMessage(viewerID: viewerID, candidate: candidate.description, sdpMid: "0", sdpMLineIndex: 0)))
                    case .endOfLocalCandidates:
                        signal(.endOfCandidates(EndOfCandidates(viewerID: viewerID)))
                    case .stateChanged(let state):
                        if state == .connected { keyFrameWanted.withLockedValue { $0 = true } }
                        onEvent(.viewerStateChanged(id: viewerID, state))
                    case .keyFrameRequested:
                        keyFrameWanted.withLockedValue { $0 = true }
                    case .targetBitrate, .frame:
                        break
                    }
                })
            let offer = try connection.createOffer()
            let early = viewers.withLockedValue { viewers -> [Signalling.Message]? in
                guard viewers[viewerID] != nil else { return nil }
                viewers[viewerID]!.connection = connection
                defer { viewers[viewerID]!.early = [] }
                return viewers[viewerID]!.early
            }
            guard let early else {  // left while we were starting
                await connection.close()
                return
            }
            try await signalling.send(.offer(SessionDescriptionMessage(viewerID: viewerID, sdp: offer.serialized)))
            for message in early { deliver(message, to: viewerID) }
        } catch {
            onEvent(.error("viewer \(viewerID): \(error)"))
        }
    }

    private func deliver(_ message: Signalling.Message, to viewerID: String) {
        let connection = viewers.withLockedValue { viewers -> PeerConnection? in
            guard let connection = viewers[viewerID]?.connection else {
                viewers[viewerID]?.early.append(message)
                return nil
            }
            return connection
        }
        guard let connection else { return }
        do {
            switch message {
            case .answer(let answer): try connection.setRemoteDescription(SessionDescription(parsing: answer.sdp))
            case .candidate(let candidate): connection.addRemoteCandidate(try SDP.Candidate(parsing: candidate.candidate))
            case .endOfCandidates: connection.addRemoteEndOfCandidates()
            default: break
            }
        } catch {
            onEvent(.error("viewer \(viewerID) sent unusable signalling: \(error)"))
        }
    }
}

public enum ShareError: Error, Equatable, CustomStringConvertible {
    case refused(String)
    public var description: String {
        switch self {
        case .refused(let reason): "the rendezvous server refused: \(reason)"
        }
    }
}
