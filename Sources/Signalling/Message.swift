import Foundation

/// One signalling message as it travels in a WebSocket text frame: a JSON object with the
/// protocol version `v`, a `type` naming the case, and that case's fields beside them.
///
///     {"v":1,"type":"join","sessionID":"k3x9…","joinToken":"…","viewerName":"Ana"}
///
/// The sharer, native viewers, the browser viewer page (`Rendezvous`' viewer.html) and the server
/// all speak this; `encoded` and `init(parsing:)` are the only ways in and out, so the page's
/// hand-written JSON is held to the same rules as Swift's.
public enum Message: Sendable, Equatable {
    /// Sharer → server: open a new session.
    case createSession(CreateSession)
    /// Server → sharer: the session exists (new, or resumed after a reconnect).
    case sessionCreated(SessionCreated)
    /// Sharer → server: take back a session after a reconnect, within the grace period.
    case resume(Resume)
    /// Viewer → server: join a session with its secret join token.
    case join(Join)
    /// Server → viewer: joined; the sharer's offer follows.
    case joined(Joined)
    /// Server → sharer: a viewer arrived; the sharer sends it an offer.
    case peerJoined(PeerJoined)
    /// Server → sharer: a viewer left.
    case peerLeft(PeerLeft)
    /// Server → viewers: the sharer is gone for good (the session ended).
    case sessionEnded(SessionEnded)
    /// Sharer → viewer (through the server): the sharer's SDP offer for one viewer.
    case offer(SessionDescriptionMessage)
    /// Viewer → sharer: the viewer's SDP answer.
    case answer(SessionDescriptionMessage)
    /// Either way: one trickled ICE candidate.
    case candidate(CandidateMessage)
    /// Either way: no more candidates will follow.
    case endOfCandidates(EndOfCandidates)
    /// Sharer → server: what is shared and how it goes, for Live View.
    case status(StatusReport)
    /// Viewer → server (forwarded to the sharer): what the viewer receives.
    case viewerReport(ViewerReport)
    /// Server → anyone: a request was refused.
    case error(ErrorMessage)

    /// The protocol version this build speaks; a message with another `v` is refused.
    public static let version = 1

    /// The `type` string of each case.
    public var type: String {
        switch self {
        case .createSession: "createSession"
        case .sessionCreated: "sessionCreated"
        case .resume: "resume"
        case .join: "join"
        case .joined: "joined"
        case .peerJoined: "peerJoined"
        case .peerLeft: "peerLeft"
        case .sessionEnded: "sessionEnded"
        case .offer: "offer"
        case .answer: "answer"
        case .candidate: "candidate"
        case .endOfCandidates: "endOfCandidates"
        case .status: "status"
        case .viewerReport: "viewerReport"
        case .error: "error"
        }
    }
}

// MARK: - Payloads

/// The machine a sharer runs on, shown in Live View.
public struct DeviceInfo: Codable, Sendable, Equatable {
    public var os: String
    public var hostName: String
    /// "1920x1080".
    public var screenResolution: String
    /// Which client registered: "glimpse-cli", "aiortc", "browser", …
    public var clientKind: String

    public init(os: String, hostName: String, screenResolution: String, clientKind: String) {
        self.os = os
        self.hostName = hostName
        self.screenResolution = screenResolution
        self.clientKind = clientKind
    }
}

public struct CreateSession: Codable, Sendable, Equatable {
    public var displayName: String
    public var device: DeviceInfo

    public init(displayName: String, device: DeviceInfo) {
        self.displayName = displayName
        self.device = device
    }
}

public struct SessionCreated: Codable, Sendable, Equatable {
    public var sessionID: String
    /// The secret viewers present; also the fragment of `joinURL`.
    public var joinToken: String
    /// The link to hand out: the browser viewer page with the token in its fragment (never sent to servers in logs).
    public var joinURL: String
    /// The secret that lets this sharer `resume` the session after a reconnect.
    public var sharerToken: String
    /// Whether this answers a `resume` (the viewers that stayed are announced again with `peerJoined`).
    public var resumed: Bool

    public init(sessionID: String, joinToken: String, joinURL: String, sharerToken: String, resumed: Bool) {
        self.sessionID = sessionID
        self.joinToken = joinToken
        self.joinURL = joinURL
        self.sharerToken = sharerToken
        self.resumed = resumed
    }
}

public struct Resume: Codable, Sendable, Equatable {
    public var sessionID: String
    public var sharerToken: String

    public init(sessionID: String, sharerToken: String) {
        self.sessionID = sessionID
        self.sharerToken = sharerToken
    }
}

public struct Join: Codable, Sendable, Equatable {
    public var sessionID: String
    public var joinToken: String
    public var viewerName: String

    public init(sessionID: String, joinToken: String, viewerName: String) {
        self.sessionID = sessionID
        self.joinToken = joinToken
        self.viewerName = viewerName
    }
}

public struct Joined: Codable, Sendable, Equatable {
    public var sessionID: String
    public var viewerID: String

    public init(sessionID: String, viewerID: String) {
        self.sessionID = sessionID
        self.viewerID = viewerID
    }
}

public struct PeerJoined: Codable, Sendable, Equatable {
    public var viewerID: String
    public var viewerName: String

    public init(viewerID: String, viewerName: String) {
        self.viewerID = viewerID
        self.viewerName = viewerName
    }
}

public struct PeerLeft: Codable, Sendable, Equatable {
    public var viewerID: String

    public init(viewerID: String) { self.viewerID = viewerID }
}

public struct SessionEnded: Codable, Sendable, Equatable {
    public var sessionID: String

    public init(sessionID: String) { self.sessionID = sessionID }
}

/// An offer or answer for the peer connection between the sharer and one viewer. From the sharer
/// `viewerID` names the addressee; from a viewer the server fills in the sender's own id.
public struct SessionDescriptionMessage: Codable, Sendable, Equatable {
    public var viewerID: String
    public var sdp: String

    public init(viewerID: String, sdp: String) {
        self.viewerID = viewerID
        self.sdp = sdp
    }
}

/// A trickled candidate in the browser's `RTCIceCandidateInit` shape.
public struct CandidateMessage: Codable, Sendable, Equatable {
    public var viewerID: String
    /// The attribute value without "a=", as `RTCIceCandidate.candidate` has it: "candidate:1 1 udp …".
    public var candidate: String
    public var sdpMid: String?
    public var sdpMLineIndex: Int?

    public init(viewerID: String, candidate: String, sdpMid: String? = nil, sdpMLineIndex: Int? = nil) {
        self.viewerID = viewerID
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
    }
}

public struct EndOfCandidates: Codable, Sendable, Equatable {
    public var viewerID: String

    public init(viewerID: String) { self.viewerID = viewerID }
}

/// How the sharer's connection to one viewer is doing.
public struct ViewerStatus: Codable, Sendable, Equatable {
    public var viewerID: String
    /// The peer connection's state: "new", "connecting", "connected", "disconnected", "failed".
    public var state: String
    public var rttMilliseconds: Double?
    /// Fraction of packets lost, 0…1, from the viewer's receiver reports.
    public var lossFraction: Double?

    public init(viewerID: String, state: String, rttMilliseconds: Double? = nil, lossFraction: Double? = nil) {
        self.viewerID = viewerID
        self.state = state
        self.rttMilliseconds = rttMilliseconds
        self.lossFraction = lossFraction
    }
}

/// The sharer's periodic report of what it shares.
public struct StatusReport: Codable, Sendable, Equatable {
    /// The shared window's title, or "Screen :0" for a whole screen.
    public var source: String
    public var width: Int
    public var height: Int
    public var framesPerSecond: Double
    public var bitsPerSecond: Int
    /// False while nothing changes on screen (frames are not being sent).
    public var active: Bool
    public var viewers: [ViewerStatus]

    public init(source: String, width: Int, height: Int, framesPerSecond: Double, bitsPerSecond: Int,
                active: Bool, viewers: [ViewerStatus]) {
        self.source = source
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        self.bitsPerSecond = bitsPerSecond
        self.active = active
        self.viewers = viewers
    }
}

/// What a viewer sees: the browser page sends one about every second once media flows.
public struct ViewerReport: Codable, Sendable, Equatable {
    public var viewerID: String
    /// The peer connection's state.
    public var state: String
    public var framesDecoded: Int
    public var width: Int
    public var height: Int
    public var framesPerSecond: Double
    /// The colour at the centre of the picture, "#rrggbb", when one was sampled.
    public var sampledColour: String?

    public init(viewerID: String, state: String, framesDecoded: Int, width: Int, height: Int,
                framesPerSecond: Double, sampledColour: String? = nil) {
        self.viewerID = viewerID
        self.state = state
        self.framesDecoded = framesDecoded
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        self.sampledColour = sampledColour
    }
}

public struct ErrorMessage: Codable, Sendable, Equatable {
    /// Why a request was refused; clients switch on this, people read `message`.
    public enum Code: String, Codable, Sendable, CaseIterable {
        case malformed
        case unsupportedVersion
        case tooLarge
        case invalidUTF8
        case rateLimited
        case unknownSession
        case wrongToken
        case unknownViewer
        case notAllowed
        case sessionLimit
        case viewerLimit
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}
