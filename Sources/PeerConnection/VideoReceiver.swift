import RTP
import VP8

/// The receiving half of a video stream, sans-IO: RTP packets in, whole VP8 frames out in decoding
/// order; RTCP out that keeps the stream healthy — NACKs for missing packets, PLI when the picture
/// cannot continue, and receiver reports so the sender learns loss, jitter and round-trip time.
///
/// A frame is released only when the decoder can use it: a key frame, or the frame right after the
/// last one released. Behind a gap the receiver waits for retransmissions; if the gap lasts longer
/// than ``gapTolerance`` it asks for a key frame and drops what depends on the lost frame.
public struct VideoReceiver: Sendable {
    public struct Statistics: Sendable, Equatable {
        public internal(set) var packetsReceived = 0
        public internal(set) var malformedPackets = 0
        /// Packets of another source than the one this receiver locked on to.
        public internal(set) var foreignPackets = 0
        public internal(set) var framesReleased = 0
        public internal(set) var keyFramesReleased = 0
        /// Frames assembled but never released (they depended on a lost frame).
        public internal(set) var framesDropped = 0
        public internal(set) var nacksSent = 0
        public internal(set) var keyFrameRequestsSent = 0
    }

    /// Our SSRC as the sender of RTCP.
    public let ssrc: UInt32
    /// The media source, learnt from the first packet.
    public private(set) var remoteSSRC: UInt32?
    public private(set) var statistics = Statistics()
    public var reception: ReceptionStatistics? { stats }

    private var assembler = VP8FrameAssembler()
    private var stats: ReceptionStatistics?
    private var ready: [VP8Frame] = []
    /// The last sequence number of the last released frame.
    private var released: Int64?
    private var needKeyFrame = true
    private var gapSince: ContinuousClock.Instant?
    private var lastKeyFrameRequest: ContinuousClock.Instant?
    private var nackHistory: [UInt16: (count: Int, last: ContinuousClock.Instant)] = [:]
    /// The earliest packet seen before the first frame was released, and whether it starts a frame: if it
    /// does not, the packets before it were lost, and nothing else would ever ask for them.
    private var earliest: (number: Int64, sequenceNumber: UInt16, startsFrame: Bool)?
    private var unwrapper = SequenceUnwrapper()
    /// When each missing packet was first noticed missing: reordering must get a chance first.
    private var missingSince: [UInt16: ContinuousClock.Instant] = [:]
    private var nextReport: ContinuousClock.Instant?

    /// How long a gap may wait for retransmissions before a key frame is requested instead.
    public var gapTolerance: Duration = .milliseconds(400)
    /// How often to ask again for a packet, and at most how many times.
    public var nackInterval: Duration = .milliseconds(60)
    public var nackLimit = 8
    static let reportInterval: Duration = .seconds(1)
    static let keyFrameRequestInterval: Duration = .milliseconds(500)

    public init(ssrc: UInt32 = .random(in: 1 ... .max)) {
        self.ssrc = ssrc
    }

    /// Takes one decrypted RTP packet; returns the frames it made decodable, in order.
    public mutating func handle(rtp bytes: [UInt8], at now: ContinuousClock.Instant) -> [VP8Frame] {
        guard let packet = try? RTPPacket(parsing: bytes) else {
            statistics.malformedPackets += 1
            return []
        }
        if remoteSSRC == nil {
            remoteSSRC = packet.ssrc
            stats = ReceptionStatistics(ssrc: packet.ssrc, clockRate: 90_000)
        }
        guard packet.ssrc == remoteSSRC else {
            statistics.foreignPackets += 1
            return []
        }
        statistics.packetsReceived += 1
        stats?.record(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, arrival: now)
        nackHistory[packet.sequenceNumber] = nil
        missingSince[packet.sequenceNumber] = nil
        let number = unwrapper.unwrap(packet.sequenceNumber)
        if released == nil, earliest.map({ number < $0.number }) ?? true {
            let startsFrame = (try? PayloadDescriptor(parsing: packet.payload))?.isStartOfPartition ?? false
            earliest = (number, packet.sequenceNumber, startsFrame && (try? PayloadDescriptor(parsing: packet.payload))?.partitionIndex == 0)
        }
        guard let frame = try? assembler.insert(packet) else { return [] }
        ready.append(frame)
        ready.sort { $0.sequenceNumbers.lowerBound < $1.sequenceNumbers.lowerBound }
        return release(at: now)
    }

    /// Notes a sender report for the LSR/DLSR of our next receiver report.
    public mutating func handle(rtcp packets: [RTCPPacket], at now: ContinuousClock.Instant) {
        for case .senderReport(let report) in packets where report.ssrc == remoteSSRC {
            stats?.senderReportReceived(ntpTime: report.ntpTime, arrival: now)
        }
    }

    private mutating func release(at now: ContinuousClock.Instant) -> [VP8Frame] {
        var out: [VP8Frame] = []
        while let frame = ready.first {
            let next = released.map { frame.sequenceNumbers.lowerBound == $0 + 1 } ?? false
            if let released, frame.sequenceNumbers.upperBound <= released {
                ready.removeFirst()  // older than what the decoder already has
                statistics.framesDropped += 1
                continue
            }
            guard frame.isKeyFrame || (next && !needKeyFrame) else {
                // Not decodable yet. A key frame further on makes waiting pointless: skip to it.
                guard ready.contains(where: \.isKeyFrame) else { break }
                ready.removeFirst()
                statistics.framesDropped += 1
                continue
            }
            ready.removeFirst()
            released = frame.sequenceNumbers.upperBound
            if frame.isKeyFrame {
                needKeyFrame = false
                statistics.keyFramesReleased += 1
            }
            statistics.framesReleased += 1
            out.append(frame)
        }
        // The gap clock measures how long the picture has been stuck: progress restarts it.
        if ready.isEmpty && !needKeyFrame {
            gapSince = nil
        } else if !out.isEmpty || gapSince == nil {
            gapSince = now
        }
        return out
    }

    /// Runs the timers; returns a compound RTCP packet to send, if one is due. Call it every few tens of milliseconds.
    public mutating func tick(at now: ContinuousClock.Instant, wallclock: NTPTimestamp) -> [UInt8]? {
        guard let remoteSSRC else { return nil }
        var packets: [RTCPPacket] = []

        // A packet is asked for once it has been missing longer than reordering explains: twice the
        // interarrival jitter, within 5…100 ms. Reordered packets then arrive before any NACK goes out.
        let jitter = Duration.seconds(Double(stats?.jitter ?? 0) / 90_000)
        let reorderWindow = min(max(jitter * 2, .milliseconds(5)), .milliseconds(100))
        var missing = assembler.missingSequenceNumbers
        if released == nil, let earliest, !earliest.startsFrame { missing.insert(earliest.sequenceNumber &- 1, at: 0) }
        for number in missing where missingSince[number] == nil { missingSince[number] = now }
        let due = missing.filter { number in
            guard let since = missingSince[number], now - since >= reorderWindow else { return false }
            guard let entry = nackHistory[number] else { return true }
            return entry.count < nackLimit && now - entry.last >= nackInterval
        }
        if !due.isEmpty {
            for number in due { nackHistory[number] = ((nackHistory[number]?.count ?? 0) + 1, now) }
            packets.append(.nack(GenericNACK(senderSSRC: ssrc, mediaSSRC: remoteSSRC, lost: due)))
            statistics.nacksSent += 1
        }
        if nackHistory.count > 4096 || missingSince.count > 4096 {
            nackHistory.removeAll()
            missingSince = missingSince.filter { missing.contains($0.key) }
        }

        if let gapSince, now - gapSince >= gapTolerance,
           lastKeyFrameRequest.map({ now - $0 >= Self.keyFrameRequestInterval }) ?? true {
            // The lost packets are not coming: what follows them cannot be decoded until a key frame.
            needKeyFrame = true
            statistics.framesDropped += ready.count { !$0.isKeyFrame }
            ready.removeAll { !$0.isKeyFrame }
            lastKeyFrameRequest = now
            packets.append(.pictureLossIndication(PictureLossIndication(senderSSRC: ssrc, mediaSSRC: remoteSSRC)))
            statistics.keyFrameRequestsSent += 1
        }

        if nextReport.map({ now >= $0 }) ?? true, var stats {
            nextReport = now + Self.reportInterval
            packets.insert(.receiverReport(ReceiverReport(ssrc: ssrc, reports: [stats.makeReport(at: now)])), at: 0)
            self.stats = stats
        }
        guard !packets.isEmpty else { return nil }
        // RFC 3550 §6.1: a compound packet starts with a report; feedback alone is allowed by RFC 5506.
        return RTCPPacket.serialize(compound: packets)
    }
}
