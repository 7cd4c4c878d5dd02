import Testing
import SDP

@Suite struct FixtureTests {
    @Test(arguments: Fixture.names)
    func everyFixtureParsesAndSurvivesARoundTrip(name: String) throws {
        let parsed = try Fixture.parsed(name)
        #expect(!parsed.media.isEmpty)
        let again = try SessionDescription(parsing: parsed.serialized)
        #expect(again == parsed)
        // LF-only input is as good as CRLF.
        let lf = try SessionDescription(parsing: Fixture.text(name).replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(lf == parsed)
    }

    @Test func fixturesArePresent() {
        #expect(Fixture.names.count >= 13, "Fixtures/SDP is missing recorded SDPs")
    }

    @Test func chromiumViewerOffer() throws {
        let offer = try Fixture.parsed("chromium-viewer-offer.sdp")
        #expect(offer.origin.username == "-")
        #expect(offer.bundleMids == ["0"])
        #expect(offer.extmapAllowMixed)
        #expect(offer.msidSemantic == MSIDSemantic(semantic: "WMS", identifiers: []))
        let video = try #require(offer.media.first)
        #expect(video.kind == "video" && video.port == 9 && video.proto == "UDP/TLS/RTP/SAVPF")
        #expect(video.mid == "0")
        #expect(video.direction == .recvonly)
        #expect(video.rtcpMux && video.rtcpReducedSize)
        #expect(video.transport.iceUfrag == "w/xd")
        #expect(video.transport.icePwd == "UgCdkvkP71QmAYrnouBh0Ntf")
        #expect(video.transport.iceOptions == ["trickle"])
        #expect(video.transport.setup == .actpass)
        #expect(video.transport.sha256Fingerprint == Fingerprint(hashFunction: "sha-256", bytes: [
            0x72, 0xAE, 0xA5, 0x30, 0xB0, 0x10, 0xB4, 0x0D, 0xA1, 0xB5, 0x60, 0xA1, 0xB8, 0x2E, 0xE0, 0x67,
            0x94, 0x4A, 0x49, 0x1F, 0xD0, 0x50, 0x86, 0x01, 0xA7, 0x53, 0xCD, 0x25, 0x34, 0x73, 0x18, 0xD0]))
        let vp8 = try #require(video.codec(named: "VP8"))
        #expect(vp8.payloadType == 96 && vp8.clockRate == 90000)
        #expect(Set(vp8.feedback) == [.googREMB, .transportCC, .fir, .nack, .pli])
        #expect(video.retransmissionCodec(for: 96)?.payloadType == 97)
        #expect(video.codec(payloadType: 98)?.parameter("profile-id") == "0")
        #expect(video.codecs.contains { $0.isNamed("H264") } && video.codecs.contains { $0.isNamed("AV1") })
        #expect(video.codecs.contains { $0.isNamed("red") } && video.codecs.contains { $0.isNamed("ulpfec") })
        #expect(video.extensionID(for: ExtensionMap.absSendTimeURI) == 2)
        #expect(video.extensionID(for: ExtensionMap.transportCCURI) == 4)
        #expect(video.otherAttributes.contains(Attribute(name: "rtcp", value: "9 IN IP4 0.0.0.0")))
        let candidate = try #require(video.candidates.first)
        #expect(candidate.kind == .host && candidate.component == 1 && candidate.transport == "udp")
        #expect(candidate.address.hasSuffix(".local"))
        #expect(candidate.generation == 0 && candidate.networkCost == 999)
    }

    @Test func chromiumSharerOffer() throws {
        let offer = try Fixture.parsed("chromium-sharer-offer.sdp")
        let video = try #require(offer.media.first)
        #expect(video.direction == .sendonly)
        #expect(video.transport.iceUfrag == "sv4l")
        #expect(video.transport.icePwd == "fR6Kbl8o/pw30hnpmLquoPP/")
        #expect(video.transport.sha256Fingerprint?.description
                == "sha-256 4D:4B:25:83:A9:0F:97:4A:BF:D9:1D:09:A8:B4:77:40:99:22:EC:73:56:D6:1D:F4:27:97:4B:99:4A:99:BD:B0")
        #expect(video.mediaStreamIDs == [MediaStreamID(stream: "4d55f469-b514-4d0b-9a7b-f993bc6e9978",
                                                       track: "8e800a29-ae17-49c7-8650-417100e0e396")])
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [2_185_204_372, 2_033_231_015])])
        #expect(video.ssrcs == [2_185_204_372, 2_033_231_015])
        #expect(video.ssrcAttributes.first == SSRCAttribute(ssrc: 2_185_204_372, attribute: "cname", value: "VS1J6ie51AQXzy/H"))
        #expect(offer.msidSemantic?.identifiers == ["4d55f469-b514-4d0b-9a7b-f993bc6e9978"])
        #expect(video.candidates.map(\.port) == [47864])
    }

    @Test func chromiumAnswerToOurOffer() throws {
        let answer = try Fixture.parsed("chromium-answer-to-glimpse-offer.sdp")
        let video = try #require(answer.media.first)
        #expect(video.transport.setup == .active)
        #expect(video.direction == .recvonly)
        #expect(video.formats == ["96", "97"])
        #expect(video.retransmissionCodec(for: 96)?.associatedPayloadType == 96)
        #expect(video.extensionMaps.map(\.id) == [2, 3])
    }

    @Test func firefoxPutsTransportAtSessionLevel() throws {
        let offer = try Fixture.parsed("firefox-sharer-offer.sdp")
        #expect(offer.origin.username == "mozilla...THIS_IS_SDPARTA-99.0")
        #expect(offer.direction == .sendrecv)
        #expect(offer.transport.fingerprints.count == 1)
        #expect(offer.transport.iceOptions == ["trickle"])
        #expect(offer.msidSemantic == MSIDSemantic(semantic: "WMS", identifiers: ["*"]))
        let video = try #require(offer.media.first)
        #expect(video.transport.fingerprints.isEmpty)
        let transport = offer.effectiveTransport(of: video)
        #expect(transport.sha256Fingerprint?.bytes.first == 0x83)
        #expect(transport.iceUfrag == "06658d0d" && transport.icePwd == "1b8e898e96e77f0813c85f141787089e")
        #expect(transport.setup == .actpass)
        #expect(offer.effectiveDirection(of: video) == .sendonly)
        // Firefox writes every fmtp before its rtpmap; they still land on the right codec.
        let vp8 = try #require(video.codec(named: "VP8"))
        #expect(vp8.payloadType == 120)
        #expect(vp8.parameters == [FormatParameter(key: "max-fs", value: "12288"), FormatParameter(key: "max-fr", value: "60")])
        #expect(video.retransmissionCodec(for: 120)?.payloadType == 124)
        #expect(Set(vp8.feedback) == [.googREMB, .transportCC, .fir, .nack, .pli])
        #expect(video.extensionMaps.first { $0.id == 6 }?.direction == .recvonly)
        #expect(video.endOfCandidates)
        let tcp = try #require(video.candidates.first { $0.transport == "TCP" })
        #expect(tcp.tcpType == "active" && tcp.port == 9)
        #expect(video.candidates.contains { $0.component == 2 })
    }

    @Test(arguments: ["chromium-simulcast-offer.sdp", "firefox-simulcast-offer.sdp"])
    func simulcastIsToleratedAndKept(name: String) throws {
        let video = try #require(try Fixture.parsed(name).media.first)
        #expect(video.otherAttributes.filter { $0.name == "rid" }.compactMap(\.value) == ["h send", "l send"])
        #expect(video.otherAttributes.contains(Attribute(name: "simulcast", value: "send h;l")))
        #expect(video.codec(named: "VP8") != nil)
    }

    @Test func aiortcOffer() throws {
        let offer = try Fixture.parsed("aiortc-sharer-offer.sdp")
        let video = try #require(offer.media.first)
        #expect(video.connection == ConnectionData(address: "192.0.2.10"))
        #expect(video.codec(named: "VP8")?.payloadType == 97)
        #expect(video.transport.fingerprints.map(\.hashFunction) == ["sha-256", "sha-384", "sha-512"])
        #expect(video.transport.fingerprints.map(\.bytes.count) == [32, 48, 64])
        #expect(video.candidates.map(\.address) == ["192.0.2.10", "2001:db8::10"])
        #expect(video.extensionID(for: ExtensionMap.midURI) == 1)
    }
}
