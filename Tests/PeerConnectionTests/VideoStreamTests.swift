import RTP
import Testing
import VP8
@testable import PeerConnection

/// Synthetic VP8 frames: the payload header's P bit (bit 0 of the first byte) is 0 for key frames
/// (RFC 7741 §4.3), which is all the assembler and receiver look at.
func syntheticFrame(_ index: Int, key: Bool, size: Int) -> [UInt8] {
    var frame = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
    frame[0] = key ? 0x10 : 0x11
    return frame
}

@Suite struct VideoStreamTests {
    let start = ContinuousClock.now
    let wallclock = NTPTimestamp(unixTime: .seconds(1_800_000_000))

    /// Sends frames through sender → (loss) → receiver and returns what the receiver released.
    func stream(frames: [[UInt8]], drop: (Int) -> Bool = { _ in false },
                sender: inout VideoSender, receiver: inout VideoReceiver) -> (released: [VP8Frame], sent: [[UInt8]]) {
        var released: [VP8Frame] = []
        var sent: [[UInt8]] = []
        var index = 0
        for (n, frame) in frames.enumerated() {
            for packet in sender.packetize(frame: frame, capturedAt: start + .milliseconds(33 * n)) {
                sent.append(packet)
                defer { index += 1 }
                if drop(index) { continue }
                released += receiver.handle(rtp: packet, at: start + .milliseconds(33 * n))
            }
        }
        return (released, sent)
    }

    @Test func framesArriveWholeAndInOrder() {
        var sender = VideoSender(cname: "test", origin: start)
        var receiver = VideoReceiver()
        let frames = (0..<10).map { syntheticFrame($0, key: $0 == 0, size: 500 + 900 * $0) }
        let (released, _) = stream(frames: frames, sender: &sender, receiver: &receiver)
        #expect(released.map(\.data) == frames)
        #expect(released.first?.isKeyFrame == true)
        #expect(receiver.statistics.framesReleased == 10 && receiver.statistics.framesDropped == 0)
        #expect(sender.statistics.framesSent == 10)
    }

    @Test func nackRecoversALostPacketAndTheStreamContinues() throws {
        var sender = VideoSender(cname: "test", origin: start)
        var receiver = VideoReceiver()
        let frames = (0..<6).map { syntheticFrame($0, key: $0 == 0, size: 3000) }  // 3 packets each
        var (released, _) = stream(frames: frames, drop: { $0 == 4 }, sender: &sender, receiver: &receiver)
        #expect(released.count == 1)  // frame 1 lost a packet; frames 2… wait behind it
        // The first tick reports and notices the hole; the next one, past the reordering window, asks for it.
        let first = receiver.tick(at: start + .milliseconds(190), wallclock: wallclock)
        let reports = try RTCPPacket.parseCompound(#require(first))
        guard case .receiverReport(let report) = reports.first, reports.count == 1 else { Issue.record("not a lone RR: \(reports)"); return }
        #expect(report.reports.first?.ssrc == sender.ssrc)
        let tick = receiver.tick(at: start + .milliseconds(200), wallclock: wallclock)
        let packets = try RTCPPacket.parseCompound(#require(tick))
        let nack = try #require(packets.compactMap { if case .nack(let n) = $0 { n } else { nil } }.first)
        let (retransmit, requests) = sender.handle(rtcp: packets, at: start + .milliseconds(210), wallclock: wallclock)
        #expect(retransmit.count == 1 && requests.isEmpty && nack.lostSequenceNumbers.count == 1)
        released += receiver.handle(rtp: retransmit[0], at: start + .milliseconds(220))
        #expect(released.map(\.data) == frames)
        #expect(sender.statistics.retransmissions == 1 && receiver.statistics.nacksSent == 1)
    }

    /// The first packet of the stream is lost: no later packet reveals the hole (the assembler only sees
    /// packets after it), but a first packet that does not start a frame does, and it is NACKed.
    @Test func lostFirstPacketIsAskedFor() throws {
        var sender = VideoSender(cname: "test", origin: start)
        var receiver = VideoReceiver()
        let frames = (0..<3).map { syntheticFrame($0, key: $0 == 0, size: 3000) }
        var (released, sent) = stream(frames: frames, drop: { $0 == 0 }, sender: &sender, receiver: &receiver)
        #expect(released.isEmpty)
        _ = receiver.tick(at: start + .milliseconds(100), wallclock: wallclock)
        let tick = receiver.tick(at: start + .milliseconds(120), wallclock: wallclock)
        let packets = try RTCPPacket.parseCompound(#require(tick))
        let (retransmit, _) = sender.handle(rtcp: packets, at: start + .milliseconds(130), wallclock: wallclock)
        #expect(retransmit == [sent[0]])
        released += receiver.handle(rtp: retransmit[0], at: start + .milliseconds(140))
        #expect(released.map(\.data) == frames)
        #expect(receiver.statistics.keyFrameRequestsSent == 0)
    }

    @Test func persistentGapAsksForAKeyFrameAndResumesAtIt() throws {
        var sender = VideoSender(cname: "test", origin: start)
        var receiver = VideoReceiver()
        let frames = (0..<4).map { syntheticFrame($0, key: $0 == 0, size: 800) }
        var (released, _) = stream(frames: frames, drop: { $0 == 1 }, sender: &sender, receiver: &receiver)
        #expect(released.count == 1)
        // The retransmission never comes: after the gap tolerance the receiver sends PLI.
        var pli = false
        for ms in stride(from: 100, through: 1000, by: 20) {
            guard let rtcp = receiver.tick(at: start + .milliseconds(ms), wallclock: wallclock) else { continue }
            let packets = try RTCPPacket.parseCompound(rtcp)
            if packets.contains(where: { if case .pictureLossIndication = $0 { true } else { false } }) {
                pli = true
                let (_, requests) = sender.handle(rtcp: packets, at: start + .milliseconds(ms), wallclock: wallclock)
                #expect(requests == [.keyFrame])
                break
            }
        }
        #expect(pli)
        let key = syntheticFrame(9, key: true, size: 800), after = syntheticFrame(10, key: false, size: 800)
        for frame in [key, after] {
            for packet in sender.packetize(frame: frame, capturedAt: start + .seconds(1)) {
                released += receiver.handle(rtp: packet, at: start + .seconds(1))
            }
        }
        #expect(released.map(\.data) == [frames[0], key, after])
        #expect(receiver.statistics.keyFrameRequestsSent == 1)
    }

    @Test func keyFrameRequestsAreRateLimitedAndRepeatedFIRIgnored() {
        var sender = VideoSender(cname: "test", origin: start)
        let pli = RTCPPacket.pictureLossIndication(PictureLossIndication(senderSSRC: 1, mediaSSRC: sender.ssrc))
        let fir = RTCPPacket.fullIntraRequest(FullIntraRequest(senderSSRC: 1, entries: [.init(ssrc: sender.ssrc, sequenceNumber: 7)]))
        #expect(sender.handle(rtcp: [pli], at: start, wallclock: wallclock).requests == [.keyFrame])
        #expect(sender.handle(rtcp: [pli], at: start + .milliseconds(100), wallclock: wallclock).requests.isEmpty)
        #expect(sender.handle(rtcp: [fir], at: start + .seconds(1), wallclock: wallclock).requests == [.keyFrame])
        #expect(sender.handle(rtcp: [fir], at: start + .seconds(2), wallclock: wallclock).requests.isEmpty)
        #expect(sender.statistics.keyFrameRequests == 3)
        let remb = RTCPPacket.receiverEstimatedMaximumBitrate(.init(senderSSRC: 1, bitrate: 1_500_000, ssrcs: [sender.ssrc]))
        #expect(sender.handle(rtcp: [remb], at: start, wallclock: wallclock).requests == [.targetBitrate(1_500_000)])
    }

    @Test func roundTripTimeFromSenderAndReceiverReports() throws {
        var sender = VideoSender(cname: "test", origin: start)
        var receiver = VideoReceiver()
        _ = stream(frames: [syntheticFrame(0, key: true, size: 100)], sender: &sender, receiver: &receiver)
        let sr = try RTCPPacket.parseCompound(sender.report(at: start, wallclock: wallclock))
        receiver.handle(rtcp: sr, at: start + .milliseconds(10))
        // The receiver holds the SR 40 ms before reporting; the path takes 10 ms each way.
        let report = receiver.tick(at: start + .milliseconds(50), wallclock: wallclock)
        let rr = try RTCPPacket.parseCompound(#require(report))
        _ = sender.handle(rtcp: rr, at: start + .milliseconds(60),
                          wallclock: NTPTimestamp(unixTime: wallclock.unixTime + .milliseconds(60)))
        let rtt = try #require(sender.statistics.roundTripTime)
        #expect(abs((rtt - .milliseconds(20)) / .milliseconds(1)) < 1)
    }

    @Test func retransmissionStoreForgetsOverwrittenPackets() {
        var store = RetransmissionStore(capacity: 4)
        for n: UInt16 in 65534...65535 { store.store([UInt8(n & 0xFF)], sequenceNumber: n) }
        for n: UInt16 in 0...3 { store.store([UInt8(n)], sequenceNumber: n) }
        #expect(store.packet(3) == [3] && store.packet(0) == [0])
        #expect(store.packet(65535) == nil)
    }

    @Test func malformedAndForeignPacketsAreCounted() {
        var receiver = VideoReceiver()
        _ = receiver.handle(rtp: [0x80, 96], at: start)
        var sender = VideoSender(cname: "a", origin: start), other = VideoSender(cname: "b", origin: start)
        for packet in sender.packetize(frame: syntheticFrame(0, key: true, size: 10), capturedAt: start) {
            _ = receiver.handle(rtp: packet, at: start)
        }
        for packet in other.packetize(frame: syntheticFrame(0, key: true, size: 10), capturedAt: start) {
            _ = receiver.handle(rtp: packet, at: start)
        }
        #expect(receiver.statistics.malformedPackets == 1 && receiver.statistics.foreignPackets == 1)
        #expect(receiver.remoteSSRC == sender.ssrc)
    }
}

@Suite struct BitrateControllerTests {
    @Test func heavyLossCutsLightLossHoldsNoLossGrows() {
        var controller = BitrateController(initial: 2_000_000, maximum: 4_000_000)
        controller.reportReceived(fractionLost: 0.2)
        #expect(controller.target == 1_800_000)  // × (1 − 0.5 · 0.2)
        controller.reportReceived(fractionLost: 0.05)
        #expect(controller.target == 1_800_000)
        controller.reportReceived(fractionLost: 0)
        #expect(controller.target == 1_944_000)
        for _ in 0..<100 { controller.reportReceived(fractionLost: 0) }
        #expect(controller.target == 4_000_000)  // bounded by the configured maximum
        for _ in 0..<100 { controller.reportReceived(fractionLost: 0.9) }
        #expect(controller.target == 100_000)  // and by the minimum
    }

    @Test func aBuildingQueueCutsBeforeLossDoes() {
        var controller = BitrateController(initial: 2_000_000, maximum: 4_000_000)
        controller.reportReceived(fractionLost: 0, roundTripTime: .milliseconds(20))
        #expect(controller.target == 2_160_000)
        controller.reportReceived(fractionLost: 0, roundTripTime: .milliseconds(45))  // within the threshold: grows
        #expect(controller.target == 2_332_800)
        controller.reportReceived(fractionLost: 0, roundTripTime: .milliseconds(90))  // queueing: −15 %
        #expect(controller.target == 1_982_880)
        #expect(controller.baseRoundTripTime == .milliseconds(20))
    }

    @Test func rembCapsTheTarget() {
        var controller = BitrateController(initial: 2_000_000, maximum: 2_000_000)
        controller.receiverEstimated(700_000)
        #expect(controller.target == 700_000)
        controller.receiverEstimated(5_000_000)
        #expect(controller.target == 2_000_000)
    }

    /// A path that carries 1 Mbit/s and drops the excess: reports carry the overflow as loss, and the
    /// target settles under the capacity instead of oscillating above it.
    @Test func settlesUnderAPathsCapacity() {
        var controller = BitrateController(initial: 2_500_000, maximum: 2_500_000)
        var history: [Int] = []
        for _ in 0..<60 {
            let sent = Double(controller.target), capacity = 1_000_000.0
            controller.reportReceived(fractionLost: max(0, (sent - capacity) / sent))
            history.append(controller.target)
        }
        let settled = history.suffix(30)
        #expect(settled.allSatisfy { $0 <= 1_160_000 })
        #expect(Double(settled.reduce(0, +)) / 30 > 800_000)
    }
}
