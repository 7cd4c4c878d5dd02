import DTLS
import ICE
import NIOConcurrencyHelpers
import PeerConnection
import SDP
import STUN
import Signalling
import SignallingClient
import VP8

/// A native viewer's side of a session: joins with a link, answers the sharer's offer, and hands
/// every decodable VP8 frame to the owner.
public final class ViewSession: Sendable {
    public enum Event: Sendable, Equatable {
        case joined(viewerID: String)
        case stateChanged(PeerConnection.State)
        case frame(VP8Frame)
        case error(String)
        /// The sharer ended the session or the signalling connection closed.
        case ended
    }

    public let link: JoinLink
    private let client: SignallingClient
    private let certificate: DTLSCertificate
    private let ice: ICEConfiguration
    private let addresses: [IPAddress]?
    private let onEvent: @Sendable (Event) -> Void
    private let connection = NIOLockedValueBox<PeerConnection?>(nil)
    private let viewerID = NIOLockedValueBox<String?>(nil)
    private let loop = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Connects to the link's server and joins; the sharer's offer and the frames follow as events.
    public static func join(_ link: JoinLink, name: String, certificate: DTLSCertificate, ice: ICEConfiguration = .init(),
                            addresses: [IPAddress]? = nil, onEvent: @escaping @Sendable (Event) -> Void) async throws -> ViewSession {
        let client = try await SignallingClient.connect(to: link.signallingURL)
        let session = ViewSession(link: link, client: client, certificate: certificate, ice: ice, addresses: addresses, onEvent: onEvent)
        session.loop.withLockedValue { $0 = Task { await session.serve() } }
        try await client.send(.join(Join(sessionID: link.sessionID, joinToken: link.joinToken, viewerName: name)))
        return session
    }

    private init(link: JoinLink, client: SignallingClient, certificate: DTLSCertificate, ice: ICEConfiguration,
                 addresses: [IPAddress]?, onEvent: @escaping @Sendable (Event) -> Void) {
        self.link = link
        self.client = client
        self.certificate = certificate
        self.ice = ice
        self.addresses = addresses
        self.onEvent = onEvent
    }

    public var statistics: PeerConnection.Statistics? { connection.withLockedValue { $0 }?.statistics }

    /// Tells the sharer (and Live View) what this viewer receives.
    public func report(framesDecoded: Int, width: Int, height: Int, framesPerSecond: Double) async {
        guard let viewerID = viewerID.withLockedValue({ $0 }) else { return }
        let state = connection.withLockedValue { $0 }?.state.rawValue ?? "new"
        try? await client.send(.viewerReport(ViewerReport(viewerID: viewerID, state: state, framesDecoded: framesDecoded,
                                                          width: width, height: height, framesPerSecond: framesPerSecond)))
    }

    public func close() async {
        loop.withLockedValue { $0?.cancel() }
        await connection.withLockedValue { $0 }?.close()
        await client.close()
    }

    private func serve() async {
        for await message in client.messages {
            do {
                switch message {
                case .joined(let joined):
                    viewerID.withLockedValue { $0 = joined.viewerID }
                    onEvent(.joined(viewerID: joined.viewerID))
                case .offer(let offer):
                    try await answer(offer)
                case .candidate(let candidate):
                    connection.withLockedValue { $0 }?.addRemoteCandidate(try SDP.Candidate(parsing: candidate.candidate))
                case .endOfCandidates:
                    connection.withLockedValue { $0 }?.addRemoteEndOfCandidates()
                case .sessionEnded:
                    onEvent(.ended)
                case .error(let error):
                    onEvent(.error(error.message))
                default:
                    break
                }
            } catch {
                onEvent(.error("unusable signalling: \(error)"))
            }
        }
        onEvent(.ended)
    }

    /// A new offer (first, or after the sharer reconnected) replaces the peer connection.
    private func answer(_ offer: SessionDescriptionMessage) async throws {
        let client = self.client, onEvent = self.onEvent, viewerID = offer.viewerID
        let peer = try await PeerConnection.start(
            role: .viewer, certificate: certificate, configuration: ice, addresses: addresses,
            onEvent: { event in
                switch event {
                case .localCandidate(let candidate):
                    Task { try? await client.send(.candidate(CandidateMessage(viewerID: viewerID, candidate: candidate.description,
                                                                              sdpMid: "0", sdpMLineIndex: 0))) }
                case .endOfLocalCandidates:
                    Task { try? await client.send(.endOfCandidates(EndOfCandidates(viewerID: viewerID))) }
                case .stateChanged(let state): onEvent(.stateChanged(state))
                case .frame(let frame): onEvent(.frame(frame))
                case .keyFrameRequested, .targetBitrate: break
                }
            })
        try peer.setRemoteDescription(SessionDescription(parsing: offer.sdp))
        let answer = try peer.createAnswer()
        let previous = connection.withLockedValue { current in defer { current = peer }; return current }
        await previous?.close()
        try await client.send(.answer(SessionDescriptionMessage(viewerID: viewerID, sdp: answer.serialized)))
    }
}
