import Foundation
import RTP
import Testing
import VP8

/// A screen-like I420 picture: light background, rows of dark text-like strokes, a colored panel, and a
/// 32×32 block that moves with `step` (the changing part of the screen). `ink` is the strokes' luma.
func screenPicture(width: Int, height: Int, step: Int = 0, seed: UInt64 = 7, ink: UInt8 = 40) -> VP8Picture {
    var y = [UInt8](repeating: 230, count: width * height)
    let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
    var u = [UInt8](repeating: 128, count: chromaWidth * chromaHeight)
    var v = u
    var state = seed | 1
    func random(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(bound))
    }
    for line in stride(from: 4, to: height - 8, by: 12) {
        for cell in stride(from: 4, to: width - 6, by: 6) where random(6) != 0 {
            for _ in 0..<3 {
                let vertical = random(2) == 0, x0 = cell + random(5), y0 = line + random(7)
                for s in 0..<(vertical ? 4 : 3) {
                    let x = min(width - 1, x0 + (vertical ? 0 : s)), row = min(height - 1, y0 + (vertical ? s : 0))
                    y[row * width + x] = ink
                }
            }
        }
    }
    for row in 0..<chromaHeight / 3 { for column in chromaWidth / 2..<chromaWidth { u[row * chromaWidth + column] = 160; v[row * chromaWidth + column] = 90 } }
    let left = (step * 9) % max(1, width - 32), top = height / 2
    for row in top..<min(height, top + 32) { for column in left..<min(width, left + 32) { y[row * width + column] = 150 } }
    for row in top / 2..<min(chromaHeight, (top + 32) / 2) {
        for column in left / 2..<min(chromaWidth, (left + 32) / 2) { u[row * chromaWidth + column] = 60; v[row * chromaWidth + column] = 200 }
    }
    return VP8Picture(width: width, height: height, y: y, u: u, v: v)
}

/// PSNR of all three planes together.
func psnr(_ a: VP8Picture, _ b: VP8Picture) -> Double {
    var squares = 0.0
    for (p, q) in [(a.y, b.y), (a.u, b.u), (a.v, b.v)] {
        for (x, y) in zip(p, q) { squares += (Double(x) - Double(y)) * (Double(x) - Double(y)) }
    }
    let count = Double(a.y.count + a.u.count + a.v.count)
    return squares == 0 ? .infinity : 10 * log10(255 * 255 / (squares / count))
}

/// libvpx through VP8Encoder and VP8Decoder: quality, key frames, rate control, sizes.
@Suite struct VP8CodecTests {
    /// Screen content at a generous rate decodes at 35 dB or better, frame after frame.
    static let qualityBound = 35.0

    /// Two threads also split the frame into two token partitions, which the decoder's threads share.
    @Test(arguments: [1, 2])
    func encodedFramesDecodeCloseToTheSource(threads: Int) throws {
        let encoder = try VP8Encoder(.init(width: 320, height: 240, targetBitrate: 1_500_000, threads: threads))
        let decoder = try VP8Decoder(threads: threads)
        for step in 0..<10 {
            let source = screenPicture(width: 320, height: 240, step: step)
            let frames = try encoder.encode(source, timestamp: Int64(step) * 3000)
            #expect(frames.count == 1)
            let frame = try #require(frames.first)
            #expect(frame.isKeyFrame == (step == 0))
            #expect(frame.timestamp == Int64(step) * 3000)
            let decoded = try #require(try decoder.decode(frame.data))
            #expect(decoded.width == 320 && decoded.height == 240)
            #expect(psnr(source, decoded) >= Self.qualityBound, "frame \(step)")
        }
    }

    @Test func keyFramesComeOnDemandOnly() throws {
        let encoder = try VP8Encoder(.init(width: 160, height: 96))
        var frames: [VP8Encoder.EncodedFrame] = []
        for step in 0..<12 {
            frames += try encoder.encode(screenPicture(width: 160, height: 96, step: step), timestamp: Int64(step) * 3000,
                                         forceKeyFrame: step == 5 || step == 9)
        }
        #expect(frames.map(\.isKeyFrame) == (0..<12).map { [0, 5, 9].contains($0) })
        // A viewer that joins at the forced key frame decodes from there on.
        let late = try VP8Decoder()
        for frame in frames[5...] {
            #expect(try late.decode(frame.data) != nil)
        }
        #expect(psnr(try #require(try late.decode(try encoder.encode(screenPicture(width: 160, height: 96, step: 12), timestamp: 36000)[0].data)),
                     screenPicture(width: 160, height: 96, step: 12)) >= Self.qualityBound)
    }

    @Test func lowerTargetBitrateShrinksFramesWithoutAKeyFrame() throws {
        let encoder = try VP8Encoder(.init(width: 320, height: 180, targetBitrate: 2_000_000, maxFrameRate: 30))
        // Text rewritten every frame keeps the rate control busy; faint ink keeps it within reach of 200 kbit/s.
        func bytes(frames range: Range<Int>) throws -> (sizes: [Int], keys: Int) {
            var sizes: [Int] = [], keys = 0
            for step in range {
                let frame = try encoder.encode(screenPicture(width: 320, height: 180, step: step, seed: UInt64(step) * 2 + 1, ink: 215),
                                               timestamp: Int64(step) * 3000)
                sizes += frame.map(\.data.count)
                keys += frame.filter(\.isKeyFrame).count
            }
            return (sizes, keys)
        }
        let high = try bytes(frames: 0..<30)
        try encoder.setTargetBitrate(200_000)
        #expect(encoder.configuration.targetBitrate == 200_000)
        let low = try bytes(frames: 30..<60)
        #expect(low.keys == 0)
        let highRate = Double(high.sizes[10...].reduce(0, +)) / 20, lowRate = Double(low.sizes[10...].reduce(0, +)) / 20
        // After settling, frames follow the target: 2 Mbit/s at 30 fps is 8333 bytes a frame, 200 kbit/s 833;
        // allow the rate control ±30 %.
        #expect((0.7...1.3).contains(highRate / 8333), "\(highRate) bytes per frame at 2 Mbit/s")
        #expect((0.7...1.3).contains(lowRate / 833), "\(lowRate) bytes per frame at 200 kbit/s")
    }

    @Test(arguments: [(1, 1), (17, 9), (161, 91), (99, 100)])
    func oddSizesRoundTrip(width: Int, height: Int) throws {
        let encoder = try VP8Encoder(.init(width: width, height: height, targetBitrate: 1_000_000))
        let decoder = try VP8Decoder()
        for step in 0..<3 {
            let source = screenPicture(width: width, height: height, step: step)
            let frame = try #require(try encoder.encode(source, timestamp: Int64(step) * 3000).first)
            let decoded = try #require(try decoder.decode(frame.data))
            #expect(decoded.width == width && decoded.height == height)
            #expect(decoded.u.count == (width + 1) / 2 * ((height + 1) / 2))
            #expect(psnr(source, decoded) >= 30, "\(width)×\(height) frame \(step)")
        }
    }

    @Test func aNewSizeRestartsWithAKeyFrame() throws {
        let encoder = try VP8Encoder(.init(width: 64, height: 48))
        let decoder = try VP8Decoder()
        let sizes = [(64, 48), (64, 48), (96, 50), (96, 50), (33, 21)]
        for (step, (width, height)) in sizes.enumerated() {
            let frame = try #require(try encoder.encode(screenPicture(width: width, height: height, step: step), timestamp: Int64(step) * 3000).first)
            #expect(frame.isKeyFrame == [0, 2, 4].contains(step))
            let decoded = try #require(try decoder.decode(frame.data))
            #expect(decoded.width == width && decoded.height == height)
        }
        #expect(encoder.configuration.width == 33 && encoder.configuration.height == 21)
    }

    @Test func badInputIsRefused() throws {
        let encoder = try VP8Encoder(.init(width: 16, height: 16))
        #expect(throws: VP8CodecError.planeSizeMismatch) {
            try encoder.encode(VP8Picture(width: 16, height: 16, y: [0], u: [], v: []), timestamp: 0)
        }
        let decoder = try VP8Decoder()
        #expect(throws: VP8CodecError.self) { try decoder.decode([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2B, 1, 2, 3]) }
        #expect(throws: VP8CodecError.self) { try VP8Encoder(.init(width: 0, height: 16)) }
    }
}
