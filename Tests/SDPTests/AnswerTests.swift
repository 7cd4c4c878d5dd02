import Testing
import SDP

@Suite struct AnswerTests {
    /// What every browser needs from our answer to its viewer offer (RFC 8829 §5.3.1, RFC 8843, RFC 5763).
    @Test(arguments: ["chromium-viewer-offer.sdp", "firefox-viewer-offer.sdp"])
    func sharerAnswersAViewerOffer(name: String) throws {
        let offer = try Fixture.parsed(name)
        let answer = try SessionDescription.answer(to: offer, local: Fixture.sharer, wanting: .sendonly)
        let offered = try #require(offer.media.first)
        let video = try #require(answer.media.first)
        #expect(answer.bundleMids == offer.bundleMids)
        #expect(video.mid == offered.mid && video.port == 9 && video.proto == offered.proto)
        #expect(video.direction == .sendonly)
        #expect(video.transport.setup == .active)
        #expect(video.transport.iceUfrag == "gLm5" && video.transport.icePwd == "q2VfN8cbWk3rT7xYpZs1Lh0d")
        #expect(video.transport.fingerprints == [Fixture.sharer.fingerprint])
        #expect(video.rtcpMux && video.rtcpReducedSize)
        // Only VP8 and its rtx, with the offerer's payload types.
        let offeredVP8 = try #require(offered.codec(named: "VP8"))
        let offeredRTX = try #require(offered.retransmissionCodec(for: offeredVP8.payloadType))
        #expect(video.codecs.map(\.name) == ["VP8", "rtx"])
        #expect(video.formats == ["\(offeredVP8.payloadType)", "\(offeredRTX.payloadType)"])
        #expect(video.retransmissionCodec(for: offeredVP8.payloadType)?.payloadType == offeredRTX.payloadType)
        #expect(Set(video.codecs[0].feedback) == [.nack, .pli, .fir, .googREMB, .transportCC])
        // Only the extensions we support, under the offerer's ids.
        #expect(video.extensionMaps.map(\.uri).sorted() == [ExtensionMap.absSendTimeURI, ExtensionMap.transportCCURI].sorted())
        for map in video.extensionMaps { #expect(offered.extensionID(for: map.uri) == map.id) }
        // Our stream, with its rtx stream paired.
        #expect(video.mediaStreamIDs == [MediaStreamID(stream: "glimpse", track: "screen")])
        #expect(answer.msidSemantic?.identifiers == ["glimpse"])
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [1111, 2222])])
        #expect(video.ssrcAttributes.contains(SSRCAttribute(ssrc: 1111, attribute: "cname", value: "glimpse")))
        // It is a description a parser accepts again unchanged.
        #expect(try SessionDescription(parsing: answer.serialized) == answer)
    }

    @Test(arguments: ["chromium-audio-video-data-offer.sdp", "firefox-audio-video-data-offer.sdp"])
    func unsupportedSectionsAreRejectedWithPortZero(name: String) throws {
        let offer = try Fixture.parsed(name)
        let answer = try SessionDescription.answer(to: offer, local: Fixture.viewer, wanting: .recvonly)
        #expect(answer.media.map(\.mid) == offer.media.map(\.mid))
        #expect(answer.media.map(\.kind) == ["audio", "video", "application"])
        #expect(answer.media.map(\.port) == [0, 9, 0])
        #expect(answer.bundleMids == ["1"])
        let video = answer.media[1]
        // The offer is recvonly, so a viewer that only wants to receive ends up inactive.
        #expect(video.direction == .inactive)
        #expect(video.ssrcAttributes.isEmpty && video.mediaStreamIDs.isEmpty)
    }

    @Test func answerToASendonlyOfferReceives() throws {
        let offer = try Fixture.parsed("chromium-sharer-offer.sdp")
        let answer = try SessionDescription.answer(to: offer, local: Fixture.viewer, wanting: .recvonly, setup: .passive)
        let video = try #require(answer.media.first)
        #expect(video.direction == .recvonly)
        #expect(video.transport.setup == .passive)
        #expect(video.ssrcAttributes.isEmpty)
    }

    @Test func viewerAnswersAnAiortcSharer() throws {
        let offer = try Fixture.parsed("aiortc-sharer-offer.sdp")
        let answer = try SessionDescription.answer(to: offer, local: Fixture.viewer, wanting: .recvonly)
        let video = try #require(answer.media.first)
        #expect(video.direction == .recvonly)
        #expect(video.formats == ["97", "98"])
        // aiortc offers no transport-cc and no rtcp-rsize, so neither appears in the answer.
        #expect(Set(video.codecs[0].feedback) == [.nack, .pli, .googREMB])
        #expect(!video.rtcpReducedSize)
        #expect(video.extensionMaps == [ExtensionMap(id: 3, uri: ExtensionMap.absSendTimeURI)])
    }

    @Test func setupFollowsTheOfferersRole() throws {
        var offer = try Fixture.parsed("chromium-viewer-offer.sdp")
        offer.media[0].transport.setup = .passive
        #expect(try SessionDescription.answer(to: offer, local: Fixture.sharer, wanting: .sendonly).media[0].transport.setup == .active)
        offer.media[0].transport.setup = .active
        #expect(try SessionDescription.answer(to: offer, local: Fixture.sharer, wanting: .sendonly).media[0].transport.setup == .passive)
        offer.media[0].transport.setup = .holdconn
        #expect(throws: SDPError.self) { try SessionDescription.answer(to: offer, local: Fixture.sharer, wanting: .sendonly) }
    }

    @Test func noCommonCodecRejectsTheSection() throws {
        var offer = try Fixture.parsed("chromium-viewer-offer.sdp")
        offer.media[0].codecs.removeAll { $0.isNamed("VP8") }
        let answer = try SessionDescription.answer(to: offer, local: Fixture.sharer, wanting: .sendonly)
        #expect(answer.media[0].port == 0)
        #expect(answer.groups.isEmpty)
    }

    @Test func candidatesGoIntoTheBundledSection() throws {
        var local = Fixture.sharer
        local.candidates = [Candidate(foundation: "1", priority: 2_130_706_431, address: "127.0.0.1", port: 40000, kind: .host)]
        local.endOfCandidates = true
        let offer = try Fixture.parsed("chromium-audio-video-data-offer.sdp")
        let answer = try SessionDescription.answer(to: offer, local: local, wanting: .sendonly)
        #expect(answer.media.map(\.candidates.count) == [0, 1, 0])
        #expect(answer.media[1].endOfCandidates)
    }

    @Test func directionComplement() {
        #expect(Direction.sendrecv.answer(wanting: .sendonly) == .sendonly)
        #expect(Direction.recvonly.answer(wanting: .sendonly) == .sendonly)
        #expect(Direction.recvonly.answer(wanting: .recvonly) == .inactive)
        #expect(Direction.sendonly.answer(wanting: .sendrecv) == .recvonly)
        #expect(Direction.inactive.answer(wanting: .sendrecv) == .inactive)
    }

    @Test func sharerOfferMatchesTheHandWrittenOneChromiumAnswered() throws {
        let offer = SessionDescription.offer(local: Fixture.sharer)
        let reference = try Fixture.parsed("handwritten-glimpse-sendonly-offer.sdp")
        let ours = try #require(offer.media.first), theirs = try #require(reference.media.first)
        #expect(ours.formats == theirs.formats)
        #expect(ours.codecs == theirs.codecs)
        #expect(ours.extensionMaps == theirs.extensionMaps)
        #expect(ours.direction == .sendonly && ours.transport.setup == .actpass)
        #expect(ours.ssrcGroups == theirs.ssrcGroups && ours.ssrcAttributes == theirs.ssrcAttributes)
        #expect(ours.mediaStreamIDs == theirs.mediaStreamIDs)
        #expect(offer.bundleMids == ["0"])
        #expect(try SessionDescription(parsing: offer.serialized) == offer)
    }
}
