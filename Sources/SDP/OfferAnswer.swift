extension SessionDescription {
    /// An offer with one bundled video section in `direction`: `.sendonly` for the sharer (with
    /// `local.source` announced), `.recvonly` for a native viewer.
    public static func offer(local: LocalParameters, direction: Direction = .sendonly, mid: String = "0") -> SessionDescription {
        let capabilities = local.capabilities
        var codecs: [Codec] = []
        for codec in capabilities.codecs {
            codecs.append(codec)
            if let rtx = capabilities.retransmissionPayloadTypes[codec.payloadType] {
                codecs.append(Codec(payloadType: rtx, name: "rtx", clockRate: codec.clockRate,
                                    parameters: [FormatParameter(key: "apt", value: "\(codec.payloadType)")]))
            }
        }
        var media = MediaDescription(
            kind: "video", formats: codecs.map { "\($0.payloadType)" }, mid: mid,
            transport: local.transport(setup: .actpass), direction: direction, rtcpMux: true, rtcpReducedSize: true,
            codecs: codecs, extensionMaps: capabilities.headerExtensions,
            candidates: local.candidates, endOfCandidates: local.endOfCandidates)
        if direction.sends, let source = local.source {
            source.announce(in: &media, retransmission: codecs.contains { $0.isNamed("rtx") })
        }
        return SessionDescription(
            origin: Origin(sessionID: "\(local.sessionID)"), groups: [Group(semantics: "BUNDLE", mids: [mid])],
            msidSemantic: MSIDSemantic(identifiers: direction.sends ? local.source.map { [$0.streamID] } ?? [] : []),
            media: [media])
    }

    /// The answer to `offer` (RFC 8829 §5.3.1): the first usable video section is accepted in the
    /// direction `wanting` allows, with the offerer's payload types and extension ids for what we
    /// support; every other section is rejected with port 0. All accepted sections share one BUNDLE
    /// transport, so candidates go into the first.
    ///
    /// - Parameter setup: our DTLS role when the offer says `actpass`; `.active` is what browsers pick.
    public static func answer(to offer: SessionDescription, local: LocalParameters, wanting direction: Direction,
                              setup: SetupRole = .active) throws(SDPError) -> SessionDescription {
        var sections: [MediaDescription] = []
        var acceptedMids: [String] = []
        for offered in offer.media {
            guard let mid = offered.mid else { throw SDPError.unanswerableOffer(reason: "a media section has no a=mid") }
            if acceptedMids.isEmpty, var media = try accept(offered, of: offer, local: local, direction: direction, setup: setup) {
                media.candidates = local.candidates
                media.endOfCandidates = local.endOfCandidates
                sections.append(media)
                acceptedMids.append(mid)
            } else {
                sections.append(MediaDescription(kind: offered.kind, port: 0, proto: offered.proto,
                                                 formats: offered.formats, mid: mid))
            }
        }
        let bundle = offer.bundleMids.filter(acceptedMids.contains)
        let streams = sections.contains { !$0.mediaStreamIDs.isEmpty } ? local.source.map { [$0.streamID] } ?? [] : []
        return SessionDescription(
            origin: Origin(sessionID: "\(local.sessionID)"),
            groups: bundle.isEmpty ? [] : [Group(semantics: "BUNDLE", mids: bundle)],
            msidSemantic: offer.msidSemantic.map { _ in MSIDSemantic(identifiers: streams) },
            extmapAllowMixed: offer.extmapAllowMixed, media: sections)
    }

    /// The accepted form of `offered`, or nil when we must reject it: not RTP video, already rejected
    /// by the offerer, no rtcp-mux (we only demultiplex RTCP on the RTP port), or no codec in common.
    private static func accept(_ offered: MediaDescription, of offer: SessionDescription, local: LocalParameters,
                               direction: Direction, setup: SetupRole) throws(SDPError) -> MediaDescription? {
        guard offered.kind == "video", offered.isRTP, offered.port != 0, offered.rtcpMux else { return nil }
        let codecs = commonCodecs(offered.codecs, local.capabilities)
        guard codecs.contains(where: { !$0.isNamed("rtx") }) else { return nil }
        let answerDirection = offer.effectiveDirection(of: offered).answer(wanting: direction)
        var media = MediaDescription(
            kind: offered.kind, proto: offered.proto, formats: codecs.map { "\($0.payloadType)" }, mid: offered.mid,
            transport: local.transport(setup: try answerSetup(to: offer.effectiveTransport(of: offered).setup, preferring: setup)),
            direction: answerDirection, rtcpMux: true, rtcpReducedSize: offered.rtcpReducedSize, codecs: codecs,
            extensionMaps: offered.extensionMaps.filter { map in
                local.capabilities.headerExtensions.contains { $0.uri == map.uri }
            }.map { ExtensionMap(id: $0.id, uri: $0.uri) })
        if answerDirection.sends, let source = local.source {
            source.announce(in: &media, retransmission: codecs.contains { $0.isNamed("rtx") })
        }
        return media
    }

    /// The offered codecs we support, in the offerer's order and with its payload types: media codecs
    /// with the offered format parameters and the feedback both sides handle, then the rtx codecs that
    /// retransmit one of them.
    private static func commonCodecs(_ offered: [Codec], _ capabilities: MediaCapabilities) -> [Codec] {
        var accepted: [UInt8: Codec] = [:]
        for codec in offered where !codec.isNamed("rtx") {
            guard let ours = capabilities.codec(matching: codec) else { continue }
            var answer = codec
            answer.feedback = codec.feedback.filter(ours.feedback.contains)
            accepted[codec.payloadType] = answer
        }
        var result: [Codec] = []
        for codec in offered {
            if let media = accepted[codec.payloadType] {
                result.append(media)
            } else if codec.isNamed("rtx"), let apt = codec.associatedPayloadType, let media = accepted[apt],
                      capabilities.retransmits(media) {
                result.append(Codec(payloadType: codec.payloadType, name: codec.name, clockRate: codec.clockRate,
                                    parameters: codec.parameters))
            }
        }
        return result
    }

    /// RFC 5763 §5: the answerer takes the role the offerer left; a missing `a=setup` counts as `actpass`.
    private static func answerSetup(to offered: SetupRole?, preferring preferred: SetupRole) throws(SDPError) -> SetupRole {
        switch offered ?? .actpass {
        case .actpass: preferred == .passive ? .passive : .active
        case .active: .passive
        case .passive: .active
        case .holdconn: throw SDPError.unanswerableOffer(reason: "the offer holds the DTLS connection (a=setup:holdconn)")
        }
    }
}

extension LocalParameters {
    func transport(setup: SetupRole) -> TransportAttributes {
        TransportAttributes(iceUfrag: iceUfrag, icePwd: icePwd, iceOptions: ["trickle"], fingerprints: [fingerprint], setup: setup)
    }
}
