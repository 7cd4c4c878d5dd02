/// What a receiver has seen of one source, as its reception report blocks need it: extended highest
/// sequence number and losses (RFC 3550 A.3), interarrival jitter (A.8), and LSR/DLSR (§6.4.1).
///
/// Departs from A.1 in two ways: the base sequence number is the lowest seen rather than the first (so a
/// packet reordered ahead of the first one does not count as a loss), and there is no probation or
/// restart detection; sequence numbers are simply extended with ``SequenceUnwrapper``.
public struct ReceptionStatistics: Sendable {
    /// The source reported on.
    public let ssrc: UInt32
    /// The RTP clock rate of the source's payload format (90 000 for video).
    public let clockRate: Int

    private var unwrapper = SequenceUnwrapper()
    private var base: Int64 = 0
    private var highest: Int64 = -1
    /// Packets received, duplicates and late ones included (as A.3 counts them).
    public private(set) var packetsReceived: Int64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0
    /// The first arrival, as the zero of the arrival clock in timestamp units.
    private var origin: ContinuousClock.Instant?
    private var lastArrival: Int64 = 0
    private var lastTimestamp: UInt32 = 0
    /// Jitter scaled by 16, as A.8's integer form keeps it.
    private var scaledJitter: Int64 = 0
    private var lastSenderReport: (compact: UInt32, arrival: ContinuousClock.Instant)?

    public init(ssrc: UInt32, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    /// Counts a packet that arrived at `arrival`. Jitter is updated only by packets that advance the
    /// highest sequence number, so reordered and retransmitted packets do not look like delay variation.
    public mutating func record(sequenceNumber: UInt16, timestamp: UInt32, arrival: ContinuousClock.Instant) {
        let extended = unwrapper.unwrap(sequenceNumber)
        packetsReceived += 1
        let arrivalTicks = ticks(arrival)
        if packetsReceived == 1 {
            base = extended
            highest = extended
        } else {
            base = min(base, extended)
            guard extended > highest else { return }
            highest = extended
            // A.8: D = (Rj − Ri) − (Sj − Si); J += (|D| − J) / 16, here with J scaled by 16.
            let transitChange = (arrivalTicks - lastArrival) - Int64(Int32(bitPattern: timestamp &- lastTimestamp))
            scaledJitter += Int64(clamping: transitChange.magnitude) - ((scaledJitter + 8) >> 4)
        }
        lastArrival = arrivalTicks
        lastTimestamp = timestamp
    }

    /// Notes a sender report from this source, for the LSR and DLSR of later report blocks.
    public mutating func senderReportReceived(ntpTime: NTPTimestamp, arrival: ContinuousClock.Instant) {
        lastSenderReport = (ntpTime.compact, arrival)
    }

    /// The highest sequence number received, with the number of wraps in the high 16 bits.
    public var extendedHighestSequenceNumber: UInt32 { UInt32(truncatingIfNeeded: max(highest, 0)) }

    /// Packets expected (from the lowest to the highest sequence number seen) minus packets received.
    public var cumulativeLost: Int64 { packetsReceived == 0 ? 0 : highest - base + 1 - packetsReceived }

    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32 { UInt32(clamping: scaledJitter >> 4) }

    /// A report block for this source sent at `now`; it starts a new interval for the fraction lost (A.3).
    public mutating func makeReport(at now: ContinuousClock.Instant) -> ReceptionReport {
        let expected = packetsReceived == 0 ? 0 : highest - base + 1
        let expectedInterval = expected - expectedPrior
        let receivedInterval = packetsReceived - receivedPrior
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (lostInterval << 8) / expectedInterval
        let lost = Int32(clamping: min(max(cumulativeLost, Int64(ReceptionReport.cumulativeLostRange.lowerBound)),
                                       Int64(ReceptionReport.cumulativeLostRange.upperBound)))
        return ReceptionReport(
            ssrc: ssrc, fractionLost: UInt8(clamping: fraction), cumulativeLost: lost,
            extendedHighestSequenceNumber: extendedHighestSequenceNumber, jitter: jitter,
            lastSenderReport: lastSenderReport?.compact ?? 0,
            delaySinceLastSenderReport: lastSenderReport.map { compactNTPDuration(now - $0.arrival) } ?? 0)
    }

    /// `instant` on a clock counting timestamp units from the first arrival.
    private mutating func ticks(_ instant: ContinuousClock.Instant) -> Int64 {
        let origin = self.origin ?? instant
        self.origin = origin
        let (seconds, attoseconds) = (instant - origin).components
        return seconds * Int64(clockRate) + attoseconds / 1_000_000_000 * Int64(clockRate) / 1_000_000_000
    }
}
