import Capture
import Foundation
import TestSupport
import RTP
import Testing
import VP8

/// The sender's and viewer's media path without the network: capture a window, convert, encode, packetize,
/// deliver shuffled with duplicates, reassemble, decode, convert back.
@Suite(.serialized) struct MediaPathTests {
    /// Each decoded frame must be this close to the captured one (BGR channels).
    static let qualityBound = 35.0

    @Test(arguments: [(320, 240), (321, 181)])
    func capturedWindowSurvivesTheMediaPath(width: Int, height: Int) throws {
        guard let x = try XHarness() else { return }
        let window = TestWindow(x.connection, title: "shared document", frame: CaptureRect(x: 60, y: 40, width: width, height: height),
                                picture: desktopPicture(width: width, height: height, seed: 4, square: (0, height / 2)))
        let capturer = try ScreenCapturer(display: x.openDisplay(), source: .windowTitled("shared document"))
        let encoder = try VP8Encoder(.init(width: width, height: height, targetBitrate: 2_000_000))
        var packetizer = VP8Packetizer(ssrc: 42, payloadType: 96, sequenceNumber: 65500)

        var captured: [Frame] = [], packets: [RTPPacket] = []
        for step in 0..<8 {
            // The moving part: an orange square sliding right.
            window.draw(desktopPicture(width: width, height: height, seed: 4, square: (step * 25, height / 2)))
            let frame = try capturer.capture()
            #expect(frame.width == width && frame.height == height)
            captured.append(frame)
            let image = I420Image(frame)
            let encoded = try encoder.encode(VP8Picture(width: width, height: height, y: image.y, u: image.u, v: image.v),
                                             timestamp: Int64(step) * 3000)
            #expect(encoded.count == 1)
            for frame in encoded { packets += packetizer.packetize(frame: frame.data, timestamp: UInt32(step) * 3000) }
        }

        var generator = SystemRandomNumberGenerator()
        var delivered = packets + packets.filter { _ in Bool.random(using: &generator) }
        delivered.shuffle(using: &generator)
        var assembler = VP8FrameAssembler()
        var frames: [VP8Frame] = []
        for packet in delivered {
            if let frame = try assembler.insert(RTPPacket(parsing: packet.bytes)) { frames.append(frame) }
        }
        frames.sort { $0.sequenceNumbers.lowerBound < $1.sequenceNumbers.lowerBound }
        #expect(frames.map(\.timestamp) == (0..<8).map { UInt32($0) * 3000 })
        // A key frame arriving complete drops the partial frames before it, so the shuffle can cost frames that
        // precede it; only the first frame is a key frame here, so all eight must come out.
        let decoder = try VP8Decoder()
        for (index, frame) in frames.enumerated() {
            let picture = try #require(try decoder.decode(frame.data))
            let shown = Frame(I420Image(width: picture.width, height: picture.height, y: picture.y, u: picture.u, v: picture.v))
            let quality = psnr(captured[index].pixels, shown.pixels) { $0 % 4 != 3 }
            #expect(quality >= Self.qualityBound, "frame \(index): \(quality) dB")
        }
    }
}
