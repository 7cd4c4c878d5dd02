import RTP
import Testing

@Suite struct StatisticsTests {
    let t0 = ContinuousClock.now

    /// A worked example of RFC 3550 A.8 with a 1 kHz clock (1 timestamp unit = 1 ms), packets sent every
    /// 20 ms and arriving at 0, 180, 200, 380, 400 ms:
    ///
    /// ```
    /// S (timestamp)   0   20   40   60   80
    /// R (arrival)     0  180  200  380  400
    /// transit R−S     0  160  160  320  320
    /// |D|                160    0  160    0
    /// J = J + (|D| − J)/16:  10  9.375  18.79  17.62
    /// ```
    /// A.8's integer form keeps 16·J (160, 150, 301, 282) and reports ⌊J⌋: 10, 9, 18, 17.
    @Test func jitterWorkedExample() {
        var statistics = ReceptionStatistics(ssrc: 1, clockRate: 1000)
        let arrivals = [0, 180, 200, 380, 400]
        var reported: [UInt32] = []
        for (index, arrival) in arrivals.enumerated() {
            statistics.record(sequenceNumber: UInt16(index), timestamp: UInt32(20 * index), arrival: t0 + .milliseconds(arrival))
            reported.append(statistics.jitter)
        }
        #expect(reported == [0, 10, 9, 18, 17])
    }

    @Test func jitterAtVideoClockRateWithTimestampWrap() {
        // 90 kHz, 30 fps: 3000 units per frame; a frame arriving 1 ms late is 90 units of |D|.
        var statistics = ReceptionStatistics(ssrc: 1, clockRate: 90000)
        let start = UInt32.max - 4000
        statistics.record(sequenceNumber: 0, timestamp: start, arrival: t0)
        statistics.record(sequenceNumber: 1, timestamp: start &+ 3000, arrival: t0 + .microseconds(33_333))
        statistics.record(sequenceNumber: 2, timestamp: start &+ 6000, arrival: t0 + .microseconds(66_667) + .milliseconds(1))
        // Arrivals in units: 0, 2999 (33 333 µs is 2999.97, truncated), 6090. |D| = 1, then 3091 − 3000 = 91;
        // 16·J = 1, then 1 + 91 − 0 = 93, reported as 5. The timestamps wrapped between the first two.
        #expect(statistics.jitter == 5)
    }

    @Test func reorderedPacketsDoNotMoveJitter() {
        var statistics = ReceptionStatistics(ssrc: 1, clockRate: 1000)
        statistics.record(sequenceNumber: 0, timestamp: 0, arrival: t0)
        statistics.record(sequenceNumber: 2, timestamp: 40, arrival: t0 + .milliseconds(40))
        statistics.record(sequenceNumber: 1, timestamp: 20, arrival: t0 + .milliseconds(500))
        statistics.record(sequenceNumber: 3, timestamp: 60, arrival: t0 + .milliseconds(60))
        #expect(statistics.jitter == 0)
        #expect(statistics.cumulativeLost == 0)
    }

    /// RFC 3550 A.3 across the wrap: 65533, 65534, 0, 2, 3 received (65535 and 1 lost), then 4–7 and a duplicate.
    @Test func lossAcrossTheWrap() {
        var statistics = ReceptionStatistics(ssrc: 0xABCD, clockRate: 90000)
        for number: UInt16 in [65533, 65534, 0, 2, 3] {
            statistics.record(sequenceNumber: number, timestamp: 0, arrival: t0)
        }
        let first = statistics.makeReport(at: t0)
        #expect(first.ssrc == 0xABCD)
        #expect(first.extendedHighestSequenceNumber == 0x0001_0003)
        #expect(first.cumulativeLost == 2)
        #expect(first.fractionLost == UInt8((2 << 8) / 7))  // 73: 2 of 7 expected

        for number: UInt16 in [4, 5, 5, 6, 7] {
            statistics.record(sequenceNumber: number, timestamp: 0, arrival: t0)
        }
        let second = statistics.makeReport(at: t0)
        #expect(second.extendedHighestSequenceNumber == 0x0001_0007)
        #expect(second.cumulativeLost == 1)  // the duplicate counts as received
        #expect(second.fractionLost == 0)  // more received than expected in this interval

        statistics.record(sequenceNumber: 1, timestamp: 0, arrival: t0)  // retransmitted late
        #expect(statistics.makeReport(at: t0).cumulativeLost == 0)
    }

    @Test func reorderingBeforeTheFirstPacketIsNoLoss() {
        var statistics = ReceptionStatistics(ssrc: 1, clockRate: 90000)
        for number: UInt16 in [1, 0, 2] { statistics.record(sequenceNumber: number, timestamp: 0, arrival: t0) }
        #expect(statistics.cumulativeLost == 0)
        #expect(statistics.makeReport(at: t0).fractionLost == 0)
    }

    @Test func lsrAndDlsr() {
        var statistics = ReceptionStatistics(ssrc: 1, clockRate: 90000)
        statistics.record(sequenceNumber: 9, timestamp: 0, arrival: t0)
        #expect(statistics.makeReport(at: t0).lastSenderReport == 0)
        statistics.senderReportReceived(ntpTime: NTPTimestamp(seconds: 0xE9A1_2B3C, fraction: 0x8000_0000), arrival: t0)
        let report = statistics.makeReport(at: t0 + .milliseconds(1500))
        #expect(report.lastSenderReport == 0x2B3C_8000)
        #expect(report.delaySinceLastSenderReport == 0x0001_8000)
    }

    // MARK: NTP and round-trip time

    @Test func ntpFromUnixTime() {
        #expect(NTPTimestamp(unixTime: .zero) == NTPTimestamp(seconds: 2_208_988_800, fraction: 0))
        let time = NTPTimestamp(unixTime: .seconds(1_700_000_000) + .milliseconds(250))
        #expect(time.seconds == 3_908_988_800 && time.fraction == 0x4000_0000)
        #expect(time.unixTime == .seconds(1_700_000_000) + .milliseconds(250))
        #expect(time.rawValue == UInt64(3_908_988_800) << 32 | 0x4000_0000)
        #expect(NTPTimestamp(rawValue: time.rawValue) == time)
        #expect(time.compact == UInt32(3_908_988_800 & 0xFFFF) << 16 | 0x4000)
        // One nanosecond is 4.29 units of 2^-32 s; the conversion truncates.
        #expect(NTPTimestamp(unixTime: .nanoseconds(1)).fraction == 4)
        #expect(NTPTimestamp(unixTime: .nanoseconds(-1)) == NTPTimestamp(seconds: 2_208_988_799, fraction: 0xFFFF_FFFB))
    }

    /// RFC 3550 §6.4.1 Figure 2's example: A 46864.500 s (0xb710:8000), DLSR 5.250 s (0x0005:4000), LSR
    /// 46853.125 s give 6.125 s. The figure prints that LSR as 0xb705:2030, which is 46853.1257 s; the exact
    /// 46853.125 is 0xb705:2000, and the figure's hex gives 0x0006:1fd0 = 6.12427 s. Both are checked.
    @Test func roundTripTimeFigure2() {
        let arrival = NTPTimestamp(rawValue: UInt64(0xB710_8000) << 16)
        var block = ReceptionReport(ssrc: 1, fractionLost: 0, cumulativeLost: 0, extendedHighestSequenceNumber: 0, jitter: 0,
                                    lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)
        #expect(block.roundTripTime(arrival: arrival) == .milliseconds(6125))
        block.lastSenderReport = 0xB705_2030
        #expect(block.roundTripTime(arrival: arrival) == Duration(secondsComponent: 6, attosecondsComponent: 124_267_578_125_000_000))
        var noSR = block
        noSR.lastSenderReport = 0
        #expect(noSR.roundTripTime(arrival: arrival) == nil)
        var skewed = block
        skewed.delaySinceLastSenderReport = 0x000F_0000
        #expect(skewed.roundTripTime(arrival: arrival) == nil)
    }

    @Test func compactDurations() {
        #expect(compactNTPDuration(.milliseconds(1500)) == 0x0001_8000)
        #expect(compactNTPDuration(.zero - .seconds(1)) == 0)
        #expect(compactNTPDuration(.seconds(70000)) == .max)
        #expect(compactNTPDuration(.microseconds(15)) == 0)  // below 1/65536 s
        #expect(compactNTPDuration(.microseconds(16)) == 1)
    }
}
