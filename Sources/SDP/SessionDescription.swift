/// A whole SDP offer or answer (RFC 8866), with the session-level attributes JSEP uses.
///
/// Attributes the model does not interpret are kept in `otherAttributes` and written back, so a
/// description survives `init(parsing:)` → `serialized` unchanged in meaning (attribute order may differ).
public struct SessionDescription: Hashable, Sendable {
    public var origin: Origin
    public var sessionName: String
    /// `t=<start> <stop>`; WebRTC always writes `0 0`.
    public var timing: String
    public var connection: ConnectionData?
    /// `a=group:` lines; JSEP uses one `BUNDLE` group (RFC 8843).
    public var groups: [Group]
    public var msidSemantic: MSIDSemantic?
    /// Session-level `a=ice-lite` (RFC 8839 §5.3): the peer only answers checks.
    public var iceLite: Bool
    /// Session-level ICE, DTLS and direction attributes, which apply to every media section that does
    /// not override them (Firefox writes `a=fingerprint` and `a=sendrecv` here).
    public var transport: TransportAttributes
    public var direction: Direction?
    public var extmapAllowMixed: Bool
    public var extensionMaps: [ExtensionMap]
    public var otherAttributes: [Attribute]
    public var otherFields: [Field]
    public var media: [MediaDescription]

    public init(origin: Origin, sessionName: String = "-", timing: String = "0 0", connection: ConnectionData? = nil,
                groups: [Group] = [], msidSemantic: MSIDSemantic? = nil, iceLite: Bool = false,
                transport: TransportAttributes = TransportAttributes(), direction: Direction? = nil,
                extmapAllowMixed: Bool = false, extensionMaps: [ExtensionMap] = [],
                otherAttributes: [Attribute] = [], otherFields: [Field] = [], media: [MediaDescription] = []) {
        self.origin = origin
        self.sessionName = sessionName
        self.timing = timing
        self.connection = connection
        self.groups = groups
        self.msidSemantic = msidSemantic
        self.iceLite = iceLite
        self.transport = transport
        self.direction = direction
        self.extmapAllowMixed = extmapAllowMixed
        self.extensionMaps = extensionMaps
        self.otherAttributes = otherAttributes
        self.otherFields = otherFields
        self.media = media
    }

    /// The mids of the `BUNDLE` group, or empty.
    public var bundleMids: [String] { groups.first { $0.semantics == "BUNDLE" }?.mids ?? [] }

    /// The media section with `a=mid:<mid>`.
    public func media(mid: String) -> MediaDescription? { media.first { $0.mid == mid } }

    /// What applies to `media` once session-level defaults are filled in: the ICE credentials,
    /// fingerprints and DTLS role the peer connection needs for that section's transport.
    public func effectiveTransport(of media: MediaDescription) -> TransportAttributes {
        let own = media.transport, session = transport
        return TransportAttributes(
            iceUfrag: own.iceUfrag ?? session.iceUfrag, icePwd: own.icePwd ?? session.icePwd,
            iceOptions: own.iceOptions.isEmpty ? session.iceOptions : own.iceOptions,
            fingerprints: own.fingerprints.isEmpty ? session.fingerprints : own.fingerprints,
            setup: own.setup ?? session.setup)
    }

    /// The direction of `media`, falling back to the session level and then to `sendrecv` (RFC 8866 §6.7).
    public func effectiveDirection(of media: MediaDescription) -> Direction {
        media.direction ?? direction ?? .sendrecv
    }
}

/// The ICE and DTLS attributes that may appear at session or media level.
public struct TransportAttributes: Hashable, Sendable {
    public var iceUfrag: String?
    public var icePwd: String?
    /// `a=ice-options` tokens, e.g. `trickle` (RFC 8840).
    public var iceOptions: [String]
    public var fingerprints: [Fingerprint]
    public var setup: SetupRole?

    public init(iceUfrag: String? = nil, icePwd: String? = nil, iceOptions: [String] = [],
                fingerprints: [Fingerprint] = [], setup: SetupRole? = nil) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.iceOptions = iceOptions
        self.fingerprints = fingerprints
        self.setup = setup
    }

    /// The SHA-256 fingerprint, the one every browser offers and DTLS-SRTP checks (RFC 8827 §6.5).
    public var sha256Fingerprint: Fingerprint? { fingerprints.first { $0.hashFunction == "sha-256" } }
}

/// One `m=` section and its attributes (RFC 8866 §5.14, RFC 8829 §5.2).
public struct MediaDescription: Hashable, Sendable {
    /// `video`, `audio`, `application`, …
    public var kind: String
    /// 0 marks a rejected (or bundle-only) section (RFC 8829 §5.3.1).
    public var port: UInt16
    public var portCount: Int?
    /// e.g. `UDP/TLS/RTP/SAVPF` or `UDP/DTLS/SCTP`.
    public var proto: String
    /// The formats of the `m=` line: payload type numbers for RTP, `webrtc-datachannel` for SCTP.
    public var formats: [String]
    public var connection: ConnectionData?
    public var mid: String?
    public var transport: TransportAttributes
    public var direction: Direction?
    public var rtcpMux: Bool
    public var rtcpMuxOnly: Bool
    public var rtcpReducedSize: Bool
    /// The codecs in `a=rtpmap` order, each with its `a=fmtp` and `a=rtcp-fb`.
    public var codecs: [Codec]
    public var extensionMaps: [ExtensionMap]
    public var mediaStreamIDs: [MediaStreamID]
    public var ssrcGroups: [SSRCGroup]
    public var ssrcAttributes: [SSRCAttribute]
    public var candidates: [Candidate]
    public var endOfCandidates: Bool
    /// Attributes the model does not interpret (`a=rtcp`, `a=rid`, `a=simulcast`, `a=sctp-port`, …)
    /// and `a=fmtp`/`a=rtcp-fb` lines for payload types without `a=rtpmap`, verbatim.
    public var otherAttributes: [Attribute]
    public var otherFields: [Field]

    public init(kind: String, port: UInt16 = 9, portCount: Int? = nil, proto: String = "UDP/TLS/RTP/SAVPF",
                formats: [String] = [], connection: ConnectionData? = .unspecified, mid: String? = nil,
                transport: TransportAttributes = TransportAttributes(), direction: Direction? = nil,
                rtcpMux: Bool = false, rtcpMuxOnly: Bool = false, rtcpReducedSize: Bool = false,
                codecs: [Codec] = [], extensionMaps: [ExtensionMap] = [], mediaStreamIDs: [MediaStreamID] = [],
                ssrcGroups: [SSRCGroup] = [], ssrcAttributes: [SSRCAttribute] = [], candidates: [Candidate] = [],
                endOfCandidates: Bool = false, otherAttributes: [Attribute] = [], otherFields: [Field] = []) {
        self.kind = kind
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.mid = mid
        self.transport = transport
        self.direction = direction
        self.rtcpMux = rtcpMux
        self.rtcpMuxOnly = rtcpMuxOnly
        self.rtcpReducedSize = rtcpReducedSize
        self.codecs = codecs
        self.extensionMaps = extensionMaps
        self.mediaStreamIDs = mediaStreamIDs
        self.ssrcGroups = ssrcGroups
        self.ssrcAttributes = ssrcAttributes
        self.candidates = candidates
        self.endOfCandidates = endOfCandidates
        self.otherAttributes = otherAttributes
        self.otherFields = otherFields
    }

    /// RTP media sections carry payload type numbers as formats; SCTP ones do not.
    public var isRTP: Bool { proto.contains("RTP/") }

    /// The codec with payload type `payloadType`.
    public func codec(payloadType: UInt8) -> Codec? { codecs.first { $0.payloadType == payloadType } }

    /// The first codec named `name` (case-insensitive), e.g. `VP8`.
    public func codec(named name: String) -> Codec? { codecs.first { $0.isNamed(name) } }

    /// The `rtx` codec that retransmits `payloadType`.
    public func retransmissionCodec(for payloadType: UInt8) -> Codec? {
        codecs.first { $0.isNamed("rtx") && $0.associatedPayloadType == payloadType }
    }

    /// The extension id the section maps `uri` to.
    public func extensionID(for uri: String) -> Int? { extensionMaps.first { $0.uri == uri }?.id }

    /// The SSRCs announced with `a=ssrc`, in first-seen order.
    public var ssrcs: [UInt32] {
        var seen: [UInt32] = []
        for attribute in ssrcAttributes where !seen.contains(attribute.ssrc) { seen.append(attribute.ssrc) }
        return seen
    }
}
