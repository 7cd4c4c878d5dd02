/// What this endpoint puts into the offers and answers it builds.
public struct LocalParameters: Sendable {
    /// ICE username fragment and password (RFC 8839 §5.4: at least 4 and 22 characters).
    public var iceUfrag: String
    public var icePwd: String
    /// The SHA-256 fingerprint of our DTLS certificate.
    public var fingerprint: Fingerprint
    /// The `o=` session id; random per peer connection, kept across renegotiations.
    public var sessionID: UInt64
    /// The stream we send, if any; without it we announce no SSRCs.
    public var source: MediaSource?
    public var capabilities: MediaCapabilities
    /// Candidates known when the description is built; later ones are trickled.
    public var candidates: [Candidate]
    /// Whether gathering finished, so `a=end-of-candidates` can be written (RFC 8840 §4.1).
    public var endOfCandidates: Bool

    public init(iceUfrag: String, icePwd: String, fingerprint: Fingerprint, sessionID: UInt64,
                source: MediaSource? = nil, capabilities: MediaCapabilities = .vp8, candidates: [Candidate] = [],
                endOfCandidates: Bool = false) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprint = fingerprint
        self.sessionID = sessionID
        self.source = source
        self.capabilities = capabilities
        self.candidates = candidates
        self.endOfCandidates = endOfCandidates
    }
}

/// The RTP stream we send: its SSRCs and the identifiers browsers use to build a MediaStreamTrack.
public struct MediaSource: Sendable, Hashable {
    public var ssrc: UInt32
    /// The SSRC of the RFC 4588 retransmission stream, paired with `ssrc` in `a=ssrc-group:FID`.
    public var retransmissionSSRC: UInt32?
    /// The RTCP CNAME (RFC 7022).
    public var cname: String
    public var streamID: String
    public var trackID: String

    public init(ssrc: UInt32, retransmissionSSRC: UInt32? = nil, cname: String, streamID: String, trackID: String) {
        self.ssrc = ssrc
        self.retransmissionSSRC = retransmissionSSRC
        self.cname = cname
        self.streamID = streamID
        self.trackID = trackID
    }

    /// Writes `a=msid`, `a=ssrc-group:FID` and `a=ssrc` the way Chromium does; the rtx SSRC only
    /// when an rtx codec was agreed.
    func announce(in media: inout MediaDescription, retransmission: Bool) {
        let msid = MediaStreamID(stream: streamID, track: trackID)
        media.mediaStreamIDs = [msid]
        var ssrcs = [ssrc]
        if retransmission, let retransmissionSSRC {
            ssrcs.append(retransmissionSSRC)
            media.ssrcGroups = [SSRCGroup(semantics: "FID", ssrcs: ssrcs)]
        }
        media.ssrcAttributes = ssrcs.flatMap { ssrc in
            [SSRCAttribute(ssrc: ssrc, attribute: "cname", value: cname),
             SSRCAttribute(ssrc: ssrc, attribute: "msid", value: "\(streamID) \(trackID)")]
        }
    }
}

/// The codecs, feedback and header extensions we support. Offers use these payload types and ids;
/// answers keep the offerer's numbers for whatever matches (RFC 8829 §5.3.1).
public struct MediaCapabilities: Sendable, Hashable {
    /// Media codecs (not rtx) with our preferred payload types and the feedback we handle for each.
    public var codecs: [Codec]
    /// Payload type of the rtx codec for each entry of `codecs`, or nil to not offer RFC 4588 retransmission.
    public var retransmissionPayloadTypes: [UInt8: UInt8]
    public var headerExtensions: [ExtensionMap]

    public init(codecs: [Codec], retransmissionPayloadTypes: [UInt8: UInt8] = [:], headerExtensions: [ExtensionMap] = []) {
        self.codecs = codecs
        self.retransmissionPayloadTypes = retransmissionPayloadTypes
        self.headerExtensions = headerExtensions
    }

    /// VP8 on 96 with rtx on 97, NACK, PLI, FIR, REMB and transport-cc, abs-send-time and transport-cc extensions.
    public static let vp8 = MediaCapabilities(
        codecs: [Codec(payloadType: 96, name: "VP8", clockRate: 90000,
                       feedback: [.googREMB, .transportCC, .fir, .nack, .pli])],
        retransmissionPayloadTypes: [96: 97],
        headerExtensions: [ExtensionMap(id: 2, uri: ExtensionMap.absSendTimeURI),
                           ExtensionMap(id: 3, uri: ExtensionMap.transportCCURI)])

    /// Whether we send and accept RFC 4588 retransmissions for `codec`.
    func retransmits(_ codec: Codec) -> Bool {
        self.codec(matching: codec).map { retransmissionPayloadTypes[$0.payloadType] != nil } ?? false
    }

    /// Our codec matching `offered` by encoding name and clock rate (RFC 8829 §5.3.1).
    func codec(matching offered: Codec) -> Codec? {
        codecs.first { $0.isNamed(offered.name) && $0.clockRate == offered.clockRate }
    }
}
