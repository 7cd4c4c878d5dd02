import Foundation
import TestSupport
import Testing
@testable import PeerConnection

/// The viewer on a bad network (issue: loss, delay with jitter, reordering, duplication, an outage),
/// through a userspace impairing relay since this kernel may lack netem. Each condition streams 30 fps
/// for a few seconds and prints one line: `network <condition> shown=… freezes=… longest_freeze_ms=… recovery_ms=…`.
@Suite(.serialized) struct NetworkConditionTests {
    struct Outcome {
        var sent: Int
        var shown: Int
        var freezes: Int
        var longestFreeze: Duration
        var recovery: Duration?
    }

    /// A freeze is a pause between shown frames longer than this (six frame intervals at 30 fps).
    static let freezeThreshold: Duration = .milliseconds(200)

    func run(_ name: String, _ impairment: Impairment, seconds: Int = 5, outageAt: Duration? = nil) async throws -> Outcome {
        let link = try await ImpairedLink(impairment)
        let (sharer, sharerLog, viewer, viewerLog) = try await PeerConnectionTests.connect(relay: link)
        #expect(try await PeerConnectionTests.connected(sharerLog, viewerLog))
        link.resetClock()
        let start = ContinuousClock.now
        var sent = 0, handledRequests = 0
        var key = true
        while ContinuousClock.now - start < .seconds(seconds) {
            let requests = sharerLog.events.count { $0 == .keyFrameRequested }
            if requests > handledRequests { key = true; handledRequests = requests }
            sharer.send(frame: syntheticFrame(sent, key: key, size: key ? 12_000 : 3_000))
            key = false
            sent += 1
            try await Task.sleep(until: start + .milliseconds(33 * sent))
        }
        try await Task.sleep(for: .milliseconds(500))  // let the last retransmissions land
        let shownTimes = viewerLog.timedEvents.compactMap { if case .frame = $0.event { $0.at } else { nil } }
        var freezes = 0, longest = Duration.zero
        for (a, b) in zip(shownTimes, shownTimes.dropFirst()) where b - a > Self.freezeThreshold {
            freezes += 1
            longest = max(longest, b - a)
        }
        var recovery: Duration?
        if let outage = impairment.outage {
            let end = start + outage.start + outage.length
            recovery = shownTimes.first { $0 >= end }.map { $0 - end }
        }
        let outcome = Outcome(sent: sent, shown: shownTimes.count, freezes: freezes, longestFreeze: longest, recovery: recovery)
        print("network \(name) shown=\(outcome.shown)/\(outcome.sent) freezes=\(freezes) longest_freeze_ms=\(Int(longest / .milliseconds(1)))"
              + " recovery_ms=\(recovery.map { "\(Int($0 / .milliseconds(1)))" } ?? "-")"
              + " retransmissions=\(sharer.statistics.sender?.retransmissions ?? 0) key_frame_requests=\(handledRequests)")
        await sharer.close()
        await viewer.close()
        return outcome
    }

    @Test(arguments: [0.05, 0.10, 0.20])
    func randomLossIsRecovered(loss: Double) async throws {
        let outcome = try await run("loss_\(Int(loss * 100))pct", Impairment(loss: loss))
        // NACK brings nearly everything back; at 20 % a few frames may wait for a key frame instead.
        #expect(Double(outcome.shown) / Double(outcome.sent) >= (loss < 0.2 ? 0.95 : 0.85))
    }

    @Test func delayWithJitterReorders() async throws {
        let outcome = try await run("delay_100ms_jitter_30ms", Impairment(delay: .milliseconds(100), jitter: .milliseconds(30)))
        #expect(Double(outcome.shown) / Double(outcome.sent) >= 0.95)
        #expect(outcome.freezes == 0)
    }

    @Test func duplicationIsHarmless() async throws {
        let outcome = try await run("duplicate_20pct", Impairment(duplicate: 0.2))
        #expect(outcome.shown >= outcome.sent - 1)
    }

    @Test func tenSecondOutageRecoversWithinTwoSeconds() async throws {
        let outcome = try await run("outage_10s", Impairment(outage: (.seconds(2), .seconds(10))), seconds: 15)
        let recovery = try #require(outcome.recovery)
        #expect(recovery < .seconds(2))
        #expect(outcome.freezes >= 1 && outcome.longestFreeze >= .seconds(10))
    }
}
