import Foundation
import Testing
import SDP

/// The real proof: Chromium and Firefox themselves take our answers and offers.
@Suite(.serialized) struct BrowserAcceptanceTests {
    enum Browser: String, CaseIterable, Sendable {
        case chromium, firefox

        /// The browser on a blank page, or nil (said loudly) when it is not installed.
        func launch(html: String = "<!doctype html><title>glimpse</title>") throws -> (any HeadlessBrowser)? {
            do {
                switch self {
                case .chromium: return try HeadlessChromium(html: html)
                case .firefox: return try HeadlessFirefox(html: html)
                }
            } catch BrowserFailure.notInstalled(let what) {
                print("SKIPPED: \(what) is not installed; \(rawValue)'s acceptance of our SDP was not checked")
                return nil
            }
        }
    }

    /// What the browser page offers and what we answer with.
    struct Scenario: Sendable {
        let name: String
        let transceivers: String
        let local: LocalParameters
        let direction: Direction
        /// `currentDirection` of the browser's video transceiver once our answer is applied.
        let browserDirection: String
    }

    static let scenarios = [
        Scenario(name: "sharer answers a recvonly viewer", transceivers: "pc.addTransceiver('video', {direction: 'recvonly'});",
                 local: Fixture.sharer, direction: .sendonly, browserDirection: "recvonly"),
        Scenario(name: "viewer answers audio+video+data, rejecting audio and data",
                 transceivers: "pc.addTransceiver('audio'); pc.addTransceiver('video'); pc.createDataChannel('x');",
                 local: Fixture.viewer, direction: .recvonly, browserDirection: "sendonly"),
        Scenario(name: "viewer answers a simulcast sender, ignoring rid and simulcast",
                 transceivers: """
                    const c = document.createElement('canvas'); c.getContext('2d').fillRect(0, 0, 8, 8);
                    const s = c.captureStream(); pc.addTransceiver(s.getVideoTracks()[0], {direction: 'sendonly',
                      streams: [s], sendEncodings: [{rid: 'h'}, {rid: 'l', scaleResolutionDownBy: 2}]});
                    """,
                 local: Fixture.viewer, direction: .recvonly, browserDirection: "sendonly"),
    ]

    /// The browser offers (as a viewer, as a client with audio + video + data, as a simulcast
    /// sender); we answer; the browser must accept the answer in setRemoteDescription.
    @Test(arguments: Browser.allCases)
    func browserAcceptsOurAnswers(browser: Browser) throws {
        guard let page = try browser.launch() else { return }
        for scenario in Self.scenarios {
            let offerText = try page.evaluate("""
                (async () => { window.pc = new RTCPeerConnection(); \(scenario.transceivers)
                  await pc.setLocalDescription(); return pc.localDescription.sdp; })()
                """)
            let answer = try SessionDescription.answer(to: SessionDescription(parsing: offerText), local: scenario.local,
                                                       wanting: scenario.direction)
            let outcome = try page.evaluate("""
                pc.setRemoteDescription({type: 'answer', sdp: \(javaScriptLiteral(answer.serialized))}).then(() => 'ok '
                  + pc.signalingState + ' ' + pc.getTransceivers().filter(t => t.receiver.track.kind === 'video')
                  .map(t => t.currentDirection).join(','), e => 'error: ' + e.message)
                """)
            #expect(outcome == "ok stable \(scenario.browserDirection)", "\(scenario.name)\n\(answer.serialized)")
        }
    }

    /// Our sharer offer goes into the browser as a viewer would get it: setRemoteDescription, then
    /// createAnswer; the answer must receive VP8 and rtx under our payload types.
    @Test(arguments: Browser.allCases)
    func browserAnswersOurSendonlyOffer(browser: Browser) throws {
        guard let page = try browser.launch() else { return }
        let offer = SessionDescription.offer(local: Fixture.sharer)
        let answerText = try page.evaluate("""
            (async () => { const pc = new RTCPeerConnection();
              try { await pc.setRemoteDescription({type: 'offer', sdp: \(javaScriptLiteral(offer.serialized))});
                    const answer = await pc.createAnswer(); await pc.setLocalDescription(answer);
                    return answer.sdp; } catch (e) { return 'error: ' + e.message; } })()
            """)
        #expect(!answerText.hasPrefix("error"), "\(answerText)\n\(offer.serialized)")
        let answer = try SessionDescription(parsing: answerText)
        let video = try #require(answer.media.first)
        #expect(answer.effectiveDirection(of: video) == .recvonly)
        #expect(answer.effectiveTransport(of: video).setup == .active)
        #expect(video.codec(named: "VP8")?.payloadType == 96)
        #expect(video.retransmissionCodec(for: 96)?.payloadType == 97)
        #expect(answer.bundleMids == ["0"])
    }

    /// The helpers themselves: a page's reported result comes back, and a page's exception is an error.
    @Test(arguments: Browser.allCases)
    func helperReturnsWhatThePageReports(browser: Browser) throws {
        guard let page = try browser.launch(html: """
            <script>setTimeout(() => { window.result = 'ready ' + typeof RTCPeerConnection; }, 50);</script>
            """) else { return }
        #expect(try page.waitForResult() == "ready function")
        #expect(try page.evaluate("Promise.resolve([1, 'two'])") == "[1,\"two\"]")
        #expect(throws: BrowserFailure.self) { try page.evaluate("Promise.reject(new Error('boom'))") }
    }
}
