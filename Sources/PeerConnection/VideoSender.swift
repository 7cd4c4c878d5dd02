import RTP
import VP8

/// The sending half of a video stream, sans-IO: VP8 frames become RTP packets; RTCP from the
/// receiver becomes retransmissions, key frame requests, bitrate limits and path statistics; and
/// sender reports go out on request.
public struct VideoSender: Sendable {
    /// What the receiver told us, for status lines and congestion control.
    public struct Statistics: Sendable, Equatable {
        public internal(set) var framesSent = 0
        public internal(set) var packetsSent: UInt32 = 0
        public internal(set) var octetsSent: UInt32 = 0
        public internal(set) var retransmissions = 0
        public internal(set) var nacksReceived = 0
        public internal(set) var keyFrameRequests = 0
        /// From the LSR/DLSR of the latest reception report (RFC 3550 §6.4.1).
        public internal(set) var roundTripTime: Duration?
        /// The receiver's last reported loss fraction, 0…1.
        public internal(set) var fractionLost = 0.0
        public internal(set) var cumulativeLost: Int32 = 0
        /// Interarrival jitter the receiver reported.
        public internal(set) var jitter: Duration = .zero
        /// The latest REMB value, bits per second.
        public internal(set) var receiverEstimatedBitrate: UInt64?
    }

    /// What RTCP asks of the application.
    public enum Request: Sendable, Equatable {
        /// PLI or FIR: encode the next frame as a key frame.
        case keyFrame
        /// Loss or REMB moved the target bitrate (``BitrateController``): encode at this many bits per second.
        case targetBitrate(Int)
    }

    public let ssrc: UInt32
    public let cname: String
    public private(set) var statistics = Statistics()
    /// Congestion control: the bitrate the encoder should aim for.
    public private(set) var bitrate: BitrateController

    private var packetizer: VP8Packetizer
    private var store = RetransmissionStore()
    /// Zero of the media clock; RTP timestamps count 90 kHz ticks from here plus a random offset (RFC 3550 §5.1).
    private let origin: ContinuousClock.Instant
    private let timestampOffset: UInt32
    private var lastKeyFrameRequest: ContinuousClock.Instant?
    private var lastFIRSequence: UInt8?

    static let clockRate = 90_000
    /// PLI and FIR arrive in bursts (one per lost frame, from every path); one key frame answers them all.
    static let keyFrameRequestInterval: Duration = .milliseconds(300)

    /// - Parameter bitrate: the congestion controller, starting at and bounded by the configured bitrate.
    public init(ssrc: UInt32 = .random(in: 1 ... .max), cname: String, payloadType: UInt8 = 96, maxPayloadSize: Int = 1200,
                bitrate: BitrateController = BitrateController(initial: 2_500_000, maximum: 2_500_000),
                origin: ContinuousClock.Instant = .now, timestampOffset: UInt32 = .random(in: 0 ... .max)) {
        self.ssrc = ssrc
        self.bitrate = bitrate
        self.cname = cname
        self.origin = origin
        self.timestampOffset = timestampOffset
        packetizer = VP8Packetizer(ssrc: ssrc, payloadType: payloadType, maxPayloadSize: maxPayloadSize)
    }

    /// The RTP timestamp of an instant on the media clock.
    public func rtpTimestamp(at instant: ContinuousClock.Instant) -> UInt32 {
        let ticks = (instant - origin) / .seconds(1) * Double(Self.clockRate)
        return timestampOffset &+ UInt32(truncatingIfNeeded: Int64(ticks.rounded()))
    }

    /// The RTP packets, serialized, of one encoded frame captured at `capturedAt`; kept for retransmission.
    public mutating func packetize(frame: [UInt8], capturedAt: ContinuousClock.Instant) -> [[UInt8]] {
        let packets = packetizer.packetize(frame: frame, timestamp: rtpTimestamp(at: capturedAt))
        statistics.framesSent += 1
        return packets.map { packet in
            let bytes = packet.bytes
            store.store(bytes, sequenceNumber: packet.sequenceNumber)
            statistics.packetsSent &+= 1
            statistics.octetsSent &+= UInt32(truncatingIfNeeded: packet.payload.count)
            return bytes
        }
    }

    /// Handles a receiver's RTCP: NACKed packets still stored come back for sending again; key frame
    /// and bitrate requests are returned for the application.
    public mutating func handle(rtcp packets: [RTCPPacket], at now: ContinuousClock.Instant, wallclock: NTPTimestamp)
        -> (retransmit: [[UInt8]], requests: [Request]) {
        var retransmit: [[UInt8]] = []
        var requests: [Request] = []
        let target = bitrate.target
        func keyFrameRequested() {
            statistics.keyFrameRequests += 1
            if let last = lastKeyFrameRequest, now - last < Self.keyFrameRequestInterval { return }
            lastKeyFrameRequest = now
            requests.append(.keyFrame)
        }
        for packet in packets {
            switch packet {
            case .nack(let nack) where nack.mediaSSRC == ssrc:
                statistics.nacksReceived += 1
                for number in nack.lostSequenceNumbers {
                    guard let bytes = store.packet(number) else { continue }
                    retransmit.append(bytes)
                    statistics.retransmissions += 1
                }
            case .pictureLossIndication(let pli) where pli.mediaSSRC == ssrc:
                keyFrameRequested()
            case .fullIntraRequest(let fir):
                // RFC 5104 §4.3.1.2: a repeated FIR (same sequence number) is the same request.
                guard let entry = fir.entries.first(where: { $0.ssrc == ssrc }), entry.sequenceNumber != lastFIRSequence else { continue }
                lastFIRSequence = entry.sequenceNumber
                keyFrameRequested()
            case .receiverEstimatedMaximumBitrate(let remb) where remb.ssrcs.isEmpty || remb.ssrcs.contains(ssrc):
                statistics.receiverEstimatedBitrate = remb.bitrate
                bitrate.receiverEstimated(Int(clamping: remb.bitrate))
            case .receiverReport(let report):
                absorb(report.reports, wallclock: wallclock)
            case .senderReport(let report):
                absorb(report.reports, wallclock: wallclock)
            default:
                break
            }
        }
        if bitrate.target != target { requests.append(.targetBitrate(bitrate.target)) }
        return (retransmit, requests)
    }

    private mutating func absorb(_ blocks: [ReceptionReport], wallclock: NTPTimestamp) {
        guard let block = blocks.first(where: { $0.ssrc == ssrc }) else { return }
        statistics.fractionLost = Double(block.fractionLost) / 256
        statistics.cumulativeLost = block.cumulativeLost
        statistics.jitter = .seconds(Double(block.jitter) / Double(Self.clockRate))
        let rtt = block.roundTripTime(arrival: wallclock)
        if let rtt { statistics.roundTripTime = rtt }
        bitrate.reportReceived(fractionLost: statistics.fractionLost, roundTripTime: rtt)
    }

    /// A compound RTCP packet with a sender report and our CNAME (RFC 3550 §6.1), sent about once a second.
    public func report(at now: ContinuousClock.Instant, wallclock: NTPTimestamp) -> [UInt8] {
        let sr = SenderReport(ssrc: ssrc, ntpTime: wallclock, rtpTimestamp: rtpTimestamp(at: now),
                              packetCount: statistics.packetsSent, octetCount: statistics.octetsSent)
        let sdes = SourceDescription(chunks: [.init(ssrc: ssrc, items: [.cname(cname)])])
        return RTCPPacket.serialize(compound: [.senderReport(sr), .sourceDescription(sdes)])
    }
}
