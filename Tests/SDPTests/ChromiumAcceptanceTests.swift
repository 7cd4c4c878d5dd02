import Foundation
import Testing
import SDP

/// The real proof: Chromium itself takes our answers and offers.
@Suite(.serialized) struct ChromiumAcceptanceTests {
    private static let page = "<!doctype html><title>glimpse</title>"

    private func chromium(html: String = page) throws -> HeadlessChromium? {
        do {
            return try HeadlessChromium(html: html)
        } catch HeadlessChromium.Failure.notInstalled {
            print("SKIPPED: chromium is not installed; Chromium acceptance of our SDP was not checked")
            return nil
        }
    }

    /// What the Chromium page offers and what we answer with.
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let transceivers: String
        let local: LocalParameters
        let direction: Direction
        /// `ok <signalingState> <currentDirection of each remaining transceiver>`.
        let expectedOutcome: String
        var testDescription: String { name }
    }

    /// Chromium (a viewer, and a client offering audio + video + data) offers; we answer; Chromium
    /// must accept the answer in setRemoteDescription.
    @Test(arguments: [
        Scenario(name: "sharer answers a recvonly viewer", transceivers: "pc.addTransceiver('video', {direction: 'recvonly'});",
                 local: Fixture.sharer, direction: .sendonly, expectedOutcome: "ok stable recvonly"),
        Scenario(name: "viewer answers audio+video+data, rejecting audio and data",
                 transceivers: "pc.addTransceiver('audio'); pc.addTransceiver('video'); pc.createDataChannel('x');",
                 // The rejected audio transceiver is stopped and disappears; video sends to us.
                 local: Fixture.viewer, direction: .recvonly, expectedOutcome: "ok stable sendonly"),
        Scenario(name: "viewer answers a simulcast sender, ignoring rid and simulcast",
                 transceivers: """
                    const c = document.createElement('canvas'); c.getContext('2d').fillRect(0, 0, 8, 8);
                    const s = c.captureStream(); pc.addTransceiver(s.getVideoTracks()[0], {direction: 'sendonly',
                      streams: [s], sendEncodings: [{rid: 'h'}, {rid: 'l', scaleResolutionDownBy: 2}]});
                    """,
                 local: Fixture.viewer, direction: .recvonly, expectedOutcome: "ok stable sendonly"),
    ])
    func chromiumAcceptsOurAnswer(scenario: Scenario) throws {
        guard let browser = try chromium() else { return }
        let offerText = try browser.evaluate("""
            (async () => { window.pc = new RTCPeerConnection(); \(scenario.transceivers)
              await pc.setLocalDescription(); return pc.localDescription.sdp; })()
            """)
        let answer = try SessionDescription.answer(to: SessionDescription(parsing: offerText), local: scenario.local,
                                                   wanting: scenario.direction)
        let outcome = try browser.evaluate("""
            pc.setRemoteDescription({type: 'answer', sdp: \(HeadlessChromium.literal(answer.serialized))})
              .then(() => 'ok ' + pc.signalingState + ' ' + pc.getTransceivers().map(t => t.currentDirection).join(','),
                    e => 'error: ' + e.message)
            """)
        #expect(outcome == scenario.expectedOutcome, "\(answer.serialized)")
    }

    /// Our sharer offer goes into Chromium as a viewer would get it: setRemoteDescription, then
    /// createAnswer; Chromium's answer must receive VP8 with our payload types.
    @Test func chromiumAnswersOurSendonlyOffer() throws {
        guard let browser = try chromium() else { return }
        let offer = SessionDescription.offer(local: Fixture.sharer)
        let answerText = try browser.evaluate("""
            (async () => { const pc = new RTCPeerConnection();
              try { await pc.setRemoteDescription({type: 'offer', sdp: \(HeadlessChromium.literal(offer.serialized))});
                    const answer = await pc.createAnswer(); await pc.setLocalDescription(answer);
                    return answer.sdp; } catch (e) { return 'error: ' + e.message; } })()
            """)
        #expect(!answerText.hasPrefix("error"), "\(answerText)\n\(offer.serialized)")
        let answer = try SessionDescription(parsing: answerText)
        let video = try #require(answer.media.first)
        #expect(video.direction == .recvonly)
        #expect(video.transport.setup == .active)
        #expect(video.codec(named: "VP8")?.payloadType == 96)
        #expect(video.retransmissionCodec(for: 96)?.payloadType == 97)
        #expect(answer.bundleMids == ["0"])
    }

    /// The helper itself: a page's reported result comes back, and a page's exception is an error.
    @Test func helperReturnsWhatThePageReports() throws {
        guard let browser = try chromium(html: """
            <script>setTimeout(() => { window.result = 'ready ' + typeof RTCPeerConnection; }, 50);</script>
            """) else { return }
        #expect(try browser.waitForResult() == "ready function")
        #expect(try browser.evaluate("Promise.resolve([1, 'two'])") == "[1,\"two\"]")
        #expect(throws: HeadlessChromium.Failure.self) { try browser.evaluate("Promise.reject(new Error('boom'))") }
    }
}
