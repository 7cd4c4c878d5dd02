import ArgumentParser
import CX11
import Foundation

/// `glimpse test-pattern`: a window of known content for tests and measurements — four coloured
/// quadrants, a strip of 32 blocks along the top that spells the wall-clock time in milliseconds
/// (modulo 2^32, most significant bit first; white is 1), so whoever decodes a frame can tell how old
/// its pixels are, and below it a black bar that moves every frame. Strip and bar stay within the top
/// three block rows, so the quadrants' centres are always their pure colour (unless `--noise` fills the
/// bottom-right one with noise, to load a link).
struct TestPatternCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-pattern",
        abstract: "Show a moving test pattern with a timestamp strip (for tests and latency measurements).",
        discussion: "Example: glimpse test-pattern --display :99 --width 1920 --height 1080 --fps 30"
    )

    @Option(help: "X display (default: $DISPLAY).")
    var display: String?

    @Option(help: "Window width in pixels.")
    var width: Int = 640

    @Option(help: "Window height in pixels.")
    var height: Int = 360

    @Option(help: "Frames per second to draw.")
    var fps: Int = 30

    @Option(help: "Window title.")
    var title: String = "Glimpse test pattern"

    @Flag(help: "Fill the bottom-right quadrant with fresh noise every frame: content no encoder compresses well, to load a link.")
    var noise = false

    /// Quadrant colours as (blue, green, red): top left red, top right green, bottom left yellow, bottom right blue.
    static let quadrants: [(UInt8, UInt8, UInt8)] = [(0, 0, 255), (0, 255, 0), (0, 255, 255), (255, 0, 0)]
    /// The timestamp strip: 32 blocks of this many pixels square along the top edge.
    static let block = 16

    func validate() throws {
        guard width >= 32 * Self.block, height >= 4 * Self.block else {
            throw ValidationError("the window must be at least \(32 * Self.block)×\(4 * Self.block) to hold the timestamp strip")
        }
    }

    func run() throws {
        guard let x = XOpenDisplay(display) else { throw ValidationError("cannot open X display \(display ?? "$DISPLAY")") }
        let screen = XDefaultScreen(x)
        let root = XRootWindow(x, screen)
        let window = XCreateSimpleWindow(x, root, 0, 0, UInt32(width), UInt32(height), 0, 0, 0)
        XStoreName(x, window, title)
        XMapRaised(x, window)
        let gc = XCreateGC(x, window, 0, nil)
        XSync(x, 0)
        let stride = width * 4
        let pixels = UnsafeMutablePointer<CChar>.allocate(capacity: stride * height)
        guard let image = XCreateImage(x, XDefaultVisual(x, screen), 24, ZPixmap, 0, pixels, UInt32(width), UInt32(height), 32, Int32(stride)) else {
            throw ValidationError("XCreateImage failed")
        }
        LineWriter().write("window 0x\(String(window, radix: 16)) \(width)x\(height)")
        var frame = 0
        let start = ContinuousClock.now
        while true {
            draw(into: UnsafeMutableRawPointer(pixels).assumingMemoryBound(to: UInt8.self), frame: frame)
            XPutImage(x, window, gc, image, 0, 0, 0, 0, UInt32(width), UInt32(height))
            XSync(x, 0)
            frame += 1
            Thread.sleep(until: Date(timeIntervalSinceNow: ((start + .seconds(Double(frame) / Double(fps))) - .now) / .seconds(1)))
        }
    }

    private func draw(into pixels: UnsafeMutablePointer<UInt8>, frame: Int) {
        let bar = (frame * 8) % width
        var state = UInt32(truncatingIfNeeded: frame &* 2_654_435_761) | 1  // xorshift32 noise, new each frame
        for y in 0..<height {
            for x in 0..<width {
                if noise, y >= height / 2, x >= width / 2 {
                    state ^= state << 13; state ^= state >> 17; state ^= state << 5
                    let p = pixels + (y * width + x) * 4
                    p[0] = UInt8(truncatingIfNeeded: state); p[1] = UInt8(truncatingIfNeeded: state >> 8)
                    p[2] = UInt8(truncatingIfNeeded: state >> 16); p[3] = 255
                    continue
                }
                let quadrant = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)
                var (b, g, r) = Self.quadrants[quadrant]
                if y >= Self.block, y < 3 * Self.block, x >= bar, x < bar + 8 { (b, g, r) = (0, 0, 0) }
                let p = pixels + (y * width + x) * 4
                p[0] = b; p[1] = g; p[2] = r; p[3] = 255
            }
        }
        let millis = UInt32(truncatingIfNeeded: Int64(Date().timeIntervalSince1970 * 1000))
        for bit in 0..<32 {
            let value: UInt8 = (millis >> (31 - bit)) & 1 == 1 ? 255 : 0
            for y in 0..<Self.block {
                for x in bit * Self.block..<(bit + 1) * Self.block {
                    let p = pixels + (y * width + x) * 4
                    p[0] = value; p[1] = value; p[2] = value
                }
            }
        }
    }
}
