@testable import Capture
import CX11
import Foundation
import TestSupport
import Testing

/// Capture against a private Xvfb per test: pictures drawn through the test's own X connection must come
/// back byte for byte, through MIT-SHM and XGetImage alike. Serialized: each test starts an X server.
@Suite(.serialized) struct CaptureTests {
    static let bothPaths = [true, false]

    @Test(arguments: bothPaths) func screenAndRegionCaptureReturnTheDrawnPixels(sharedMemory: Bool) throws {
        guard let x = try XHarness() else { return }
        let picture = desktopPicture(width: 320, height: 200, seed: 3)
        let place = CaptureRect(x: 100, y: 50, width: 320, height: 200)
        let window = TestWindow(x.connection, title: "pattern", frame: place, picture: picture)
        _ = window

        let screen = try ScreenCapturer(display: x.openDisplay(), source: .screen, options: .init(useSharedMemory: sharedMemory))
        #expect(screen.usesSharedMemory == sharedMemory)
        let frame = try screen.capture()
        #expect(frame.width == 1280 && frame.height == 720 && frame.stride == 1280 * 4)
        #expect(mismatch(crop(frame, place), picture.pixels) == nil)
        // Outside the window: the root's black background, opaque.
        #expect(frame.pixel(x: 99, y: 50) == (0, 0, 0, 255) && frame.pixel(x: 420, y: 249) == (0, 0, 0, 255))

        let inner = CaptureRect(x: 130, y: 70, width: 101, height: 33)
        let region = try ScreenCapturer(display: x.openDisplay(), source: .region(inner), options: .init(useSharedMemory: sharedMemory))
        let part = try region.capture()
        #expect(part.width == 101 && part.height == 33)
        #expect(mismatch(part.pixels, crop(picture, CaptureRect(x: 30, y: 20, width: 101, height: 33))) == nil)

        // A region reaching past the screen's edge is black there.
        let edge = try ScreenCapturer(display: x.openDisplay(), source: .region(CaptureRect(x: 1270, y: 0, width: 20, height: 4)),
                                      options: .init(useSharedMemory: sharedMemory)).capture()
        #expect(edge.width == 20 && edge.pixel(x: 15, y: 2) == (0, 0, 0, 255))
        #expect(throws: CaptureError.regionOutsideScreen) {
            try ScreenCapturer(display: x.openDisplay(), source: .region(CaptureRect(x: 2000, y: 0, width: 5, height: 5))).capture()
        }
    }

    @Test func withoutMITSHMOnTheServerXGetImageIsUsed() throws {
        guard let x = try XHarness(serverArguments: ["-extension", "MIT-SHM"]) else { return }
        let picture = desktopPicture(width: 90, height: 70, seed: 8)
        let window = TestWindow(x.connection, title: "no shm", frame: CaptureRect(x: 3, y: 4, width: 90, height: 70), picture: picture)
        let capturer = try ScreenCapturer(display: x.openDisplay(), source: .window(window.id), options: .init(useSharedMemory: true))
        #expect(!capturer.usesSharedMemory)
        #expect(try mismatch(capturer.capture().pixels, picture.pixels) == nil)
    }

    @Test(arguments: bothPaths) func windowCaptureByIDAndTitleReturnsOnlyThatWindow(sharedMemory: Bool) throws {
        guard let x = try XHarness() else { return }
        let picture = desktopPicture(width: 301, height: 157, seed: 5)
        let target = TestWindow(x.connection, title: "Quarterly report — draft", frame: CaptureRect(x: 40, y: 30, width: 301, height: 157),
                                picture: picture)
        // A neighbour touching it on the right and one below: none of their pixels may appear.
        _ = TestWindow(x.connection, title: "neighbour", frame: CaptureRect(x: 341, y: 30, width: 200, height: 157),
                       picture: desktopPicture(width: 200, height: 157, seed: 6))
        _ = TestWindow(x.connection, title: "below", frame: CaptureRect(x: 40, y: 187, width: 301, height: 50),
                       picture: desktopPicture(width: 301, height: 50, seed: 7))
        let options = ScreenCapturer.Options(useSharedMemory: sharedMemory)

        let byID = try ScreenCapturer(display: x.openDisplay(), source: .window(target.id), options: options)
        let frame = try byID.capture()
        #expect(frame.width == 301 && frame.height == 157)
        #expect(mismatch(frame.pixels, picture.pixels) == nil)

        let byTitle = try ScreenCapturer(display: x.openDisplay(), source: .windowTitled("report"), options: options)
        #expect(byTitle.window == target.id)
        #expect(try mismatch(byTitle.capture().pixels, picture.pixels) == nil)

        #expect(throws: CaptureError.windowNotFound(title: "no such window")) {
            try ScreenCapturer(display: x.openDisplay(), source: .windowTitled("no such window"))
        }
    }

    @Test(arguments: bothPaths) func windowMovesAndResizesAreFollowed(sharedMemory: Bool) throws {
        guard let x = try XHarness() else { return }
        let window = TestWindow(x.connection, title: "resizable", frame: CaptureRect(x: 10, y: 10, width: 200, height: 100),
                                picture: desktopPicture(width: 200, height: 100, seed: 1))
        let capturer = try ScreenCapturer(display: x.openDisplay(), source: .window(window.id), options: .init(useSharedMemory: sharedMemory))
        #expect(try mismatch(capturer.capture().pixels, desktopPicture(width: 200, height: 100, seed: 1).pixels) == nil)

        window.move(x: 500, y: 300)
        #expect(try mismatch(capturer.capture().pixels, desktopPicture(width: 200, height: 100, seed: 1).pixels) == nil)

        for (width, height) in [(333, 211), (64, 37), (640, 400)] {
            window.resize(width: width, height: height)
            let picture = desktopPicture(width: width, height: height, seed: UInt64(width))
            window.draw(picture)
            let frame = try capturer.capture()
            #expect(frame.width == width && frame.height == height)
            #expect(mismatch(frame.pixels, picture.pixels) == nil)
        }

        // Partly off the left edge: the frame keeps the window's size, black where the screen ends.
        window.resize(width: 100, height: 50)
        let picture = desktopPicture(width: 100, height: 50, seed: 9)
        window.move(x: -30, y: 0)
        window.draw(picture)
        let clipped = try capturer.capture()
        #expect(clipped.width == 100 && clipped.height == 50)
        #expect(mismatch(crop(clipped, CaptureRect(x: 30, y: 0, width: 70, height: 50)), crop(picture, CaptureRect(x: 30, y: 0, width: 70, height: 50))) == nil)
        #expect(mismatch(crop(clipped, CaptureRect(x: 0, y: 0, width: 30, height: 50)), [UInt8](repeating: 0, count: 30 * 50 * 4).enumerated().map { $0.offset % 4 == 3 ? 255 : 0 }) == nil)
    }

    @Test(arguments: bothPaths) func destroyedWindowIsReportedAndTheProcessLives(sharedMemory: Bool) throws {
        guard let x = try XHarness() else { return }
        let window = TestWindow(x.connection, title: "short-lived", frame: CaptureRect(x: 0, y: 0, width: 50, height: 40),
                                picture: desktopPicture(width: 50, height: 40))
        let capturer = try ScreenCapturer(display: x.openDisplay(), source: .window(window.id), options: .init(useSharedMemory: sharedMemory))
        _ = try capturer.capture()
        window.unmap()
        #expect(throws: CaptureError.windowNotViewable(window: window.id)) { try capturer.capture() }
        window.destroy()
        #expect(throws: CaptureError.windowClosed(window: window.id)) { try capturer.capture() }
        #expect(throws: CaptureError.windowClosed(window: window.id)) { try capturer.capture() }
        #expect(throws: CaptureError.windowClosed(window: 0x7FF_FFFF)) {
            try ScreenCapturer(display: x.openDisplay(), source: .window(0x7FF_FFFF))
        }
    }

    @Test func serverExitIsReportedAndTheProcessLives() throws {
        guard Xvfb.isAvailable else {
            print("SKIPPED \(#function): Xvfb is not installed (apt-get install xvfb) so no X server can be started")
            return
        }
        var server: Xvfb? = try Xvfb(width: 64, height: 64)
        let capturer = try ScreenCapturer(display: X11Display(server!.display), source: .screen)
        _ = try capturer.capture()
        server = nil
        #expect(throws: CaptureError.connectionLost) { try capturer.capture() }
        #expect(capturer.display.isConnectionLost)
    }

    @Test func listsTitledTopLevelWindowsWithAndWithoutAWindowManagerList() throws {
        guard let x = try XHarness() else { return }
        let editor = TestWindow(x.connection, title: "editor", frame: CaptureRect(x: 5, y: 6, width: 70, height: 80))
        let terminal = TestWindow(x.connection, title: "terminal", frame: CaptureRect(x: 100, y: 120, width: 30, height: 40))
        terminal.setUTF8Title("Grüße ✓ テスト")
        let untitled = TestWindow(x.connection, title: nil, frame: CaptureRect(x: 0, y: 0, width: 10, height: 10))
        let hidden = TestWindow(x.connection, title: "hidden", frame: CaptureRect(x: 0, y: 0, width: 10, height: 10))
        hidden.unmap()
        // A titled window inside an untitled one, as a window manager's frame holds a client.
        let child = XCreateSimpleWindow(x.connection.display, untitled.id, 1, 2, 5, 5, 0, 0, 0)
        XStoreName(x.connection.display, child, "framed client")
        XMapWindow(x.connection.display, child)
        XSync(x.connection.display, 0)

        let windows = try x.openDisplay().listWindows()
        #expect(windows == [
            WindowInfo(id: editor.id, title: "editor", frame: CaptureRect(x: 5, y: 6, width: 70, height: 80)),
            WindowInfo(id: terminal.id, title: "Grüße ✓ テスト", frame: CaptureRect(x: 100, y: 120, width: 30, height: 40)),
            WindowInfo(id: child, title: "framed client", frame: CaptureRect(x: 1, y: 2, width: 5, height: 5)),
        ])

        // A window manager's _NET_CLIENT_LIST wins; unmapped clients are left out.
        let clients: [CLong] = [CLong(bitPattern: terminal.id), CLong(bitPattern: hidden.id)]
        clients.withUnsafeBytes { bytes in
            _ = XChangeProperty(x.connection.display, x.connection.root, x.connection.atom("_NET_CLIENT_LIST"), 33, 32, PropModeReplace,
                                bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), 2)
        }
        XSync(x.connection.display, 0)
        #expect(try x.openDisplay().listWindows().map(\.id) == [terminal.id])
    }

    @Test func glimpseWindowsListsThem() throws {
        guard let x = try XHarness() else { return }
        let editor = TestWindow(x.connection, title: "editor", frame: CaptureRect(x: 5, y: 6, width: 70, height: 80))
        let terminal = TestWindow(x.connection, title: "a terminal", frame: CaptureRect(x: 100, y: 120, width: 30, height: 40))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: glimpseExecutable)
        process.arguments = ["windows", "--display", x.server.display]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text == "0x\(String(editor.id, radix: 16))  70x80+5+6  editor\n0x\(String(terminal.id, radix: 16))  30x40+100+120  a terminal\n")
    }

    @Test func unchangedFramesAreFlaggedUntilARefreshIsDue() throws {
        guard let x = try XHarness() else { return }
        let window = TestWindow(x.connection, title: "static", frame: CaptureRect(x: 0, y: 0, width: 64, height: 48),
                                picture: desktopPicture(width: 64, height: 48))
        let capturer = try ScreenCapturer(display: x.openDisplay(), source: .window(window.id),
                                          options: .init(refreshInterval: .milliseconds(300)))
        #expect(try capturer.capture().changed)
        #expect(try !capturer.capture().changed)
        window.draw(desktopPicture(width: 8, height: 8, seed: 2), x: 20, y: 20)
        #expect(try capturer.capture().changed)
        #expect(try !capturer.capture().changed)
        Thread.sleep(forTimeInterval: 0.35)
        #expect(try capturer.capture().changed)
        #expect(try !capturer.capture().changed)
        // A new size is always a change.
        window.resize(width: 65, height: 48)
        #expect(try capturer.capture().changed)
    }

    @Test func cursorIsBlendedOnlyAroundThePointer() throws {
        guard let x = try XHarness() else { return }
        let place = CaptureRect(x: 200, y: 100, width: 200, height: 150)
        let window = TestWindow(x.connection, title: "pointer", frame: place, picture: desktopPicture(width: 200, height: 150))
        XWarpPointer(x.connection.display, 0, x.connection.root, 0, 0, 0, 0, 300, 170)
        XSync(x.connection.display, 0)
        let plain = try ScreenCapturer(display: x.openDisplay(), source: .window(window.id)).capture()
        let withCursor = try ScreenCapturer(display: x.openDisplay(), source: .window(window.id), options: .init(drawsCursor: true)).capture()
        #expect(mismatch(plain.pixels, desktopPicture(width: 200, height: 150).pixels) == nil)

        let cursor = try #require(XFixesGetCursorImage(x.connection.display))
        defer { XFree(cursor) }
        let image = cursor.pointee
        let box = CaptureRect(x: Int(image.x) - Int(image.xhot) - place.x, y: Int(image.y) - Int(image.yhot) - place.y,
                              width: Int(image.width), height: Int(image.height))
        #expect(image.x == 300 && image.y == 170)
        var differing = 0
        for y in 0..<plain.height {
            for x in 0..<plain.width where plain.pixel(x: x, y: y) != withCursor.pixel(x: x, y: y) {
                differing += 1
                #expect(box.intersection(CaptureRect(x: x, y: y, width: 1, height: 1)) != nil, "pixel \(x),\(y) changed outside the cursor")
            }
        }
        // Fully opaque cursor pixels replace what is under them.
        for y in 0..<box.height {
            for x in 0..<box.width {
                let argb = UInt32(truncatingIfNeeded: image.pixels[y * box.width + x])
                guard argb >> 24 == 255 else { continue }
                let pixel = withCursor.pixel(x: box.x + x, y: box.y + y)
                #expect(pixel == (UInt8(argb & 0xFF), UInt8((argb >> 8) & 0xFF), UInt8((argb >> 16) & 0xFF), 255))
            }
        }
        #expect(differing > 0)
    }
}
