@testable import Capture
import CX11
import Foundation
import TestSupport

/// A private Xvfb and a connection of the test's own to draw with; nil (after printing why) without Xvfb.
struct XHarness {
    let server: Xvfb
    let connection: X11Display

    init?(width: Int = 1280, height: Int = 720, serverArguments: [String] = [], function: String = #function) throws {
        guard Xvfb.isAvailable else {
            print("SKIPPED \(function): Xvfb is not installed (apt-get install xvfb) so no X server can be started")
            return nil
        }
        server = try Xvfb(width: width, height: height, arguments: serverArguments)
        connection = try X11Display(server.display)
    }

    /// A fresh connection for the code under test.
    func openDisplay() throws -> X11Display { try X11Display(server.display) }
}

/// A mapped top-level window showing a picture the test chose.
final class TestWindow {
    let connection: X11Display
    let id: WindowID
    private var display: OpaquePointer { connection.display }

    init(_ connection: X11Display, title: String?, frame: CaptureRect, picture: Frame? = nil) {
        self.connection = connection
        let display = connection.display
        id = XCreateSimpleWindow(display, connection.root, Int32(frame.x), Int32(frame.y), UInt32(frame.width), UInt32(frame.height),
                                 0, 0, XBlackPixel(display, connection.screen))
        if let title { XStoreName(display, id, title) }
        XMapWindow(display, id)
        XSync(display, 0)
        if let picture { draw(picture) }
    }

    /// Puts `picture` at the window's top left and waits until the server has drawn it.
    func draw(_ picture: Frame, x: Int = 0, y: Int = 0) {
        var pixels = picture.pixels
        pixels.withUnsafeMutableBytes { bytes in
            let data = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
            let image = XCreateImage(display, XDefaultVisual(display, connection.screen), 24, ZPixmap, 0, data,
                                     UInt32(picture.width), UInt32(picture.height), 32, Int32(picture.stride))!
            XPutImage(display, id, XDefaultGC(display, connection.screen), image, 0, 0, Int32(x), Int32(y),
                      UInt32(picture.width), UInt32(picture.height))
            image.pointee.data = nil // ours, not Xlib's to free
            XDestroyImageFunction(image)
        }
        XSync(display, 0)
    }

    func setUTF8Title(_ title: String) {
        var bytes = Array(title.utf8)
        XChangeProperty(display, id, connection.atom("_NET_WM_NAME"), connection.atom("UTF8_STRING"), 8, PropModeReplace,
                        &bytes, Int32(bytes.count))
        XSync(display, 0)
    }

    func move(x: Int, y: Int) {
        XMoveWindow(display, id, Int32(x), Int32(y))
        XSync(display, 0)
    }

    func resize(width: Int, height: Int) {
        XResizeWindow(display, id, UInt32(width), UInt32(height))
        XSync(display, 0)
    }

    func unmap() {
        XUnmapWindow(display, id)
        XSync(display, 0)
    }

    func destroy() {
        XDestroyWindow(display, id)
        XSync(display, 0)
    }
}

/// A desktop-like BGRA picture: a soft vertical gradient, solid panels, and rows of dark text-like strokes;
/// `seed` varies it, `square` paints a 40×40 orange block with its top left there (the moving part).
func desktopPicture(width: Int, height: Int, seed: UInt64 = 1, square: (x: Int, y: Int)? = nil) -> Frame {
    var pixels = [UInt8](repeating: 255, count: width * height * 4)
    func set(_ x: Int, _ y: Int, _ b: UInt8, _ g: UInt8, _ r: UInt8) {
        let offset = (y * width + x) * 4
        pixels[offset] = b
        pixels[offset + 1] = g
        pixels[offset + 2] = r
    }
    for y in 0..<height {
        let shade = UInt8(200 + 40 * y / max(1, height - 1))
        for x in 0..<width { set(x, y, shade, shade - 20, shade - 60) }
    }
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    func random(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(bound))
    }
    // A light panel with text lines: 6×9 cells, each glyph a few strokes.
    let panel = CaptureRect(x: width / 10, y: height / 8, width: width * 7 / 10, height: height * 3 / 4)
    for y in panel.y..<panel.y + panel.height { for x in panel.x..<panel.x + panel.width { set(x, y, 245, 245, 245) } }
    for line in stride(from: panel.y + 4, to: panel.y + panel.height - 9, by: 12) {
        for cell in stride(from: panel.x + 4, to: panel.x + panel.width - 6, by: 6) where random(7) != 0 {
            for _ in 0..<3 {
                let vertical = random(2) == 0, start = (random(5), random(8))
                for step in 0..<(vertical ? 4 : 3) {
                    let x = cell + start.0 + (vertical ? 0 : step), y = line + start.1 + (vertical ? step : 0)
                    if x < panel.x + panel.width, y < panel.y + panel.height { set(min(x, width - 1), min(y, height - 1), 40, 30, 30) }
                }
            }
        }
    }
    if let square {
        for y in max(0, square.y)..<min(height, square.y + 40) {
            for x in max(0, square.x)..<min(width, square.x + 40) { set(x, y, 0, 140, 255) }
        }
    }
    return Frame(width: width, height: height, pixels: pixels)
}

/// A frame's pixels in a rectangle of it.
func crop(_ frame: Frame, _ rect: CaptureRect) -> [UInt8] {
    var out: [UInt8] = []
    for y in rect.y..<rect.y + rect.height {
        let start: Int = y * frame.stride + rect.x * 4
        out += frame.pixels[start..<start + rect.width * 4]
    }
    return out
}

/// Where two pixel buffers first differ, or nil when equal. Comparing through this keeps a failure's report
/// short (an `#expect` on the arrays would diff megabytes).
func mismatch(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) bytes, expected \(expected.count)" }
    guard let first = actual.indices.first(where: { actual[$0] != expected[$0] }) else { return nil }
    let count = actual.indices.count { actual[$0] != expected[$0] }
    return "\(count) bytes differ; first at byte \(first) (pixel \(first / 4)): \(actual[first]) instead of \(expected[first])"
}
