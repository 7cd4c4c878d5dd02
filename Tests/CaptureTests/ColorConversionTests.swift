import Capture
import TestSupport
import Testing

/// BGRA ⇄ I420 against the BT.601 limited-range values published for the primaries (ITU-R BT.601 in 8 bits:
/// white 235/128/128, black 16/128/128, red 82/90/240, green 145/54/34, blue 41/240/110, each ±1 for rounding).
@Suite struct ColorConversionTests {
    func solid(_ b: UInt8, _ g: UInt8, _ r: UInt8, width: Int = 2, height: Int = 2) -> Frame {
        Frame(width: width, height: height, pixels: Array([b, g, r, 255].repeated(width * height)))
    }

    @Test(arguments: [
        ((255, 255, 255), (235, 128, 128)), ((0, 0, 0), (16, 128, 128)), ((0, 0, 255), (82, 90, 240)),
        ((0, 255, 0), (144, 54, 34)), ((255, 0, 0), (41, 240, 110)), ((128, 128, 128), (126, 128, 128)),
    ] as [((UInt8, UInt8, UInt8), (Int, Int, Int))])
    func primariesConvertToPublishedValues(bgr: (UInt8, UInt8, UInt8), yuv: (Int, Int, Int)) {
        let image = I420Image(solid(bgr.0, bgr.1, bgr.2))
        #expect(image.y == [UInt8](repeating: UInt8(yuv.0), count: 4))
        #expect(image.u == [UInt8(yuv.1)] && image.v == [UInt8(yuv.2)])
        // Back to BGRA: within 2 of the original per channel (limited range has 219 luma steps, not 256).
        let back = Frame(image).pixel(x: 1, y: 1)
        for (ours, theirs) in [(back.b, bgr.0), (back.g, bgr.1), (back.r, bgr.2)] { #expect(abs(Int(ours) - Int(theirs)) <= 2) }
        #expect(back.a == 255)
    }

    @Test func roundTripOfBlockwiseUniformColorsIsNearlyExact() {
        var state: UInt32 = 12345
        func next() -> UInt8 { state = state &* 1_103_515_245 &+ 12345; return UInt8(truncatingIfNeeded: state >> 16) }
        let width = 64, height = 48
        var blocks: [[UInt8]] = []
        for _ in 0..<(width / 2 * height / 2) { blocks.append([next(), next(), next(), 255]) }
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += blocks[y / 2 * (width / 2) + x / 2] } }
        let frame = Frame(width: width, height: height, pixels: pixels)
        let back = Frame(I420Image(frame))
        let worst = zip(frame.pixels, back.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 3)
        #expect(psnr(frame.pixels, back.pixels) > 45)
    }

    @Test(arguments: [(1, 1), (3, 3), (5, 2), (2, 7), (33, 17)])
    func oddSizesKeepEdgeBlocks(width: Int, height: Int) {
        // Every pixel its own color; the last column and row are pure blue so edge blocks are predictable.
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let edge = (width % 2 == 1 && x == width - 1) || (height % 2 == 1 && y == height - 1)
                pixels += edge ? [255, 0, 0, 255] : [UInt8(x * 7 % 256), UInt8(y * 5 % 256), 99, 255]
            }
        }
        let image = I420Image(Frame(width: width, height: height, pixels: pixels))
        #expect(image.y.count == width * height)
        #expect(image.u.count == (width + 1) / 2 * ((height + 1) / 2) && image.v.count == image.u.count)
        if width % 2 == 1 && height % 2 == 1 {
            // The bottom-right block holds one pixel, repeated: its chroma is blue's (240, 110).
            #expect(image.u.last == 240 && image.v.last == 110)
        }
        let back = Frame(image)
        #expect(back.width == width && back.height == height && back.pixels.count == width * height * 4)
    }
}

extension Array {
    func repeated(_ times: Int) -> [Element] { Array((0..<times).map { _ in self }.joined()) }
}
