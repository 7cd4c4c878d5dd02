import CX11
import Glibc

/// Takes frames of the whole screen, a rectangle of it (one monitor), or one window from an X server.
///
/// Pixels come through MIT-SHM (`XShmGetImage` into a shared segment) when the server offers it and
/// `XGetImage` otherwise. A window is followed as it moves and resizes: its geometry is read again for every
/// frame, and frames take its new size. Parts of a window or rectangle off the screen are black. Without a
/// compositing manager the server keeps no pixels for covered parts of a window: there the frame shows whatever
/// covers it.
public final class ScreenCapturer {
    /// What to capture.
    public enum Source: Hashable, Sendable {
        case screen
        /// A rectangle of the screen in root coordinates, e.g. one monitor's.
        case region(CaptureRect)
        case window(WindowID)
        /// The first window of ``X11Display/listWindows()`` whose title contains this text.
        case windowTitled(String)
    }

    public struct Options: Sendable {
        /// Use MIT-SHM when the server offers it; false forces `XGetImage`.
        public var useSharedMemory: Bool
        /// Blend the mouse pointer (XFixes cursor image) into frames.
        public var drawsCursor: Bool
        /// A frame equal to the previous one is still marked ``Frame/changed`` once this much time has passed
        /// since the last frame marked changed, so a receiver that lost a frame recovers; nil: never.
        public var refreshInterval: Duration?

        public init(useSharedMemory: Bool = true, drawsCursor: Bool = false, refreshInterval: Duration? = .seconds(1)) {
            self.useSharedMemory = useSharedMemory
            self.drawsCursor = drawsCursor
            self.refreshInterval = refreshInterval
        }
    }

    public let display: X11Display
    public let source: Source
    public let options: Options
    /// The window captured, for window sources.
    public let window: WindowID?
    /// Whether frames come through MIT-SHM: asked for, offered by the server, and a segment could be attached.
    public private(set) var usesSharedMemory: Bool

    private var sharedImage: SharedImage?
    private let hasCursorImages: Bool
    private var previous: Frame?
    private var lastChanged: ContinuousClock.Instant?

    /// - Throws: ``CaptureError/windowNotFound(title:)`` for a title no window has, ``CaptureError/windowClosed(window:)``
    ///   for a window id that does not exist.
    public init(display: X11Display, source: Source, options: Options = Options()) throws(CaptureError) {
        self.display = display
        self.source = source
        self.options = options
        switch source {
        case .screen, .region:
            window = nil
        case .window(let id):
            window = id
            _ = try display.viewableFrame(of: id)
        case .windowTitled(let text):
            guard let match = display.listWindows().first(where: { $0.title.contains(text) }) else {
                throw .windowNotFound(title: text)
            }
            window = match.id
        }
        usesSharedMemory = options.useSharedMemory && XShmQueryExtension(display.display) != 0
        var eventBase: Int32 = 0, errorBase: Int32 = 0
        hasCursorImages = options.drawsCursor && XFixesQueryExtension(display.display, &eventBase, &errorBase) != 0
    }

    /// Takes one frame.
    ///
    /// - Throws: ``CaptureError/windowClosed(window:)`` once the window is destroyed,
    ///   ``CaptureError/windowNotViewable(window:)`` while it is unmapped.
    public func capture() throws(CaptureError) -> Frame {
        // A window can change between reading its geometry and taking its pixels (BadMatch); read it again.
        var attempts = 0
        while true {
            do {
                return try captureOnce()
            } catch .xError(let code, let request) {
                if display.isConnectionLost { throw .connectionLost }
                if let window { _ = try display.viewableFrame(of: window) }
                attempts += 1
                if attempts == 3 { throw .xError(code: code, request: request) }
            }
        }
    }

    private func captureOnce() throws(CaptureError) -> Frame {
        guard !display.isConnectionLost else { throw .connectionLost }
        let screen = CaptureRect(x: 0, y: 0, width: display.screenSize.width, height: display.screenSize.height)
        // `output` is the frame in root coordinates; `visible` the part of it on screen, read from `drawable`
        // whose origin is at `origin` in root coordinates.
        let output: CaptureRect, drawable: Drawable, origin: (x: Int, y: Int), depth: Int32, visual: UnsafeMutablePointer<Visual>
        if let window {
            let state = try display.viewableState(of: window)
            (output, drawable, origin, depth, visual) = (state.frame, window, (state.frame.x, state.frame.y), state.depth, state.visual)
        } else {
            if case .region(let region) = source { output = region } else { output = screen }
            (drawable, origin) = (display.root, (0, 0))
            depth = XDefaultDepth(display.display, display.screen)
            visual = XDefaultVisual(display.display, display.screen)
        }
        guard let visible = output.intersection(screen) else { throw .regionOutsideScreen }
        let timestamp = ContinuousClock.now

        let image = try read(drawable, x: visible.x - origin.x, y: visible.y - origin.y, width: visible.width,
                             height: visible.height, depth: depth, visual: visual)
        defer { if !usesSharedMemory { XDestroyImageFunction(image) } }
        let format = image.pointee
        guard format.bits_per_pixel == 32, format.byte_order == LSBFirst, format.red_mask == 0xFF0000,
              format.green_mask == 0xFF00, format.blue_mask == 0xFF else {
            throw .unsupportedPixelFormat(depth: Int(format.depth), bitsPerPixel: Int(format.bits_per_pixel))
        }

        let stride = output.width * 4
        var pixels = [UInt8](unsafeUninitializedCapacity: stride * output.height) { buffer, count in
            let destination = UnsafeMutableRawPointer(buffer.baseAddress!)
            if visible != output {
                // Opaque black where the frame is off the screen.
                for offset in Swift.stride(from: 0, to: buffer.count, by: 4) {
                    destination.storeBytes(of: 0xFF00_0000 as UInt32, toByteOffset: offset, as: UInt32.self)
                }
            }
            let source = UnsafeRawPointer(format.data!)
            for row in 0..<visible.height {
                let from = source + row * Int(format.bytes_per_line)
                let to = destination + (visible.y - output.y + row) * stride + (visible.x - output.x) * 4
                // The X byte of BGRX is undefined; make it opaque alpha.
                for offset in Swift.stride(from: 0, to: visible.width * 4, by: 4) {
                    to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt32.self) | 0xFF00_0000,
                                  toByteOffset: offset, as: UInt32.self)
                }
            }
            count = buffer.count
        }
        if hasCursorImages { drawCursor(into: &pixels, frame: output) }

        var frame = Frame(width: output.width, height: output.height, pixels: pixels, timestamp: timestamp)
        frame.changed = isChanged(frame)
        if frame.changed { lastChanged = timestamp }
        previous = frame
        return frame
    }

    /// Whether `frame` differs from the previous one or a refresh is due.
    private func isChanged(_ frame: Frame) -> Bool {
        guard let previous, previous.width == frame.width, previous.height == frame.height, let lastChanged else { return true }
        if let interval = options.refreshInterval, frame.timestamp - lastChanged >= interval { return true }
        return frame.pixels.withUnsafeBytes { new in
            previous.pixels.withUnsafeBytes { old in memcmp(new.baseAddress!, old.baseAddress!, new.count) != 0 }
        }
    }

    /// An XImage holding the rectangle's pixels: the shared one (reallocated when the size or depth changed),
    /// or a fresh one from `XGetImage` that the caller destroys.
    private func read(_ drawable: Drawable, x: Int, y: Int, width: Int, height: Int, depth: Int32,
                      visual: UnsafeMutablePointer<Visual>) throws(CaptureError) -> UnsafeMutablePointer<XImage> {
        if usesSharedMemory {
            if let shared = sharedImage, shared.width != width || shared.height != height || shared.depth != depth {
                sharedImage = nil
            }
            if sharedImage == nil {
                sharedImage = SharedImage(display: display, width: width, height: height, depth: depth, visual: visual)
                // The server may still refuse to attach (e.g. a remote server): fall back for good.
                if sharedImage == nil { usesSharedMemory = false }
            }
            if let shared = sharedImage {
                let (ok, error) = display.trapping {
                    XShmGetImage(display.display, drawable, shared.image, Int32(x), Int32(y), UInt.max) != 0
                }
                if let error { throw .xError(code: error.code, request: error.request) }
                guard ok else { throw .xError(code: 0, request: 0) }
                return shared.image
            }
        }
        let (image, error) = display.trapping {
            XGetImage(display.display, drawable, Int32(x), Int32(y), UInt32(width), UInt32(height), UInt.max, ZPixmap)
        }
        if let error {
            if let image { XDestroyImageFunction(image) }
            throw .xError(code: error.code, request: error.request)
        }
        guard let image else { throw .xError(code: 0, request: 0) }
        return image
    }

    /// Blends the pointer's image (premultiplied ARGB) over `pixels`, a frame whose top left is at `frame`'s
    /// origin in root coordinates.
    private func drawCursor(into pixels: inout [UInt8], frame: CaptureRect) {
        guard let cursor = XFixesGetCursorImage(display.display) else { return }
        defer { XFree(cursor) }
        let image = cursor.pointee
        let left = Int(image.x) - Int(image.xhot) - frame.x, top = Int(image.y) - Int(image.yhot) - frame.y
        let cursorRect = CaptureRect(x: left, y: top, width: Int(image.width), height: Int(image.height))
        guard let area = cursorRect.intersection(CaptureRect(x: 0, y: 0, width: frame.width, height: frame.height)) else { return }
        pixels.withUnsafeMutableBufferPointer { buffer in
            for y in area.y..<area.y + area.height {
                for x in area.x..<area.x + area.width {
                    // XFixes hands out each 32-bit ARGB pixel in a C long.
                    let argb = UInt32(truncatingIfNeeded: image.pixels[(y - top) * Int(image.width) + (x - left)])
                    let alpha = argb >> 24
                    guard alpha != 0 else { continue }
                    let offset = (y * frame.width + x) * 4
                    for (channel, shift) in [(0, 0), (1, 8), (2, 16)] as [(Int, UInt32)] {
                        let over = (argb >> shift) & 0xFF
                        let under = UInt32(buffer[offset + channel])
                        buffer[offset + channel] = UInt8(min(255, over + (under * (255 - alpha) + 127) / 255))
                    }
                }
            }
        }
    }
}

/// XDestroyImage is a macro calling the image's own destroy function.
func XDestroyImageFunction(_ image: UnsafeMutablePointer<XImage>) {
    _ = image.pointee.f.destroy_image(image)
}

/// An XImage whose pixels live in a System V shared memory segment attached to the X server (MIT-SHM).
private final class SharedImage {
    let display: X11Display
    let image: UnsafeMutablePointer<XImage>
    /// XShmCreateImage keeps a pointer to the segment info in the image, so it needs a stable address.
    let segment: UnsafeMutablePointer<XShmSegmentInfo>
    let width: Int, height: Int, depth: Int32
    private var attached = false

    /// Nil when the segment cannot be created or the server refuses to attach it.
    init?(display: X11Display, width: Int, height: Int, depth: Int32, visual: UnsafeMutablePointer<Visual>) {
        self.display = display
        self.width = width
        self.height = height
        self.depth = depth
        segment = .allocate(capacity: 1)
        segment.initialize(to: XShmSegmentInfo())
        segment.pointee.shmid = -1
        guard let image = XShmCreateImage(display.display, visual, UInt32(depth), ZPixmap, nil, segment, UInt32(width), UInt32(height)) else {
            segment.deallocate()
            return nil
        }
        self.image = image
        segment.pointee.shmid = shmget(IPC_PRIVATE, Int(image.pointee.bytes_per_line) * height, IPC_CREAT | 0o600)
        guard segment.pointee.shmid >= 0 else { return nil }
        let address = shmat(segment.pointee.shmid, nil, 0)
        // Removal takes effect once both we and the server have detached, so the segment cannot leak.
        defer { shmctl(segment.pointee.shmid, IPC_RMID, nil) }
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        segment.pointee.shmaddr = address.assumingMemoryBound(to: CChar.self)
        image.pointee.data = segment.pointee.shmaddr
        segment.pointee.readOnly = 0
        let (ok, error) = display.trapping { XShmAttach(display.display, segment) != 0 }
        guard ok, error == nil else { return nil }
        attached = true
    }

    deinit {
        if attached {
            XShmDetach(display.display, segment)
            XSync(display.display, 0)
        }
        if let address = segment.pointee.shmaddr { shmdt(address) }
        // The pixels are the segment's, not malloc'ed: keep XDestroyImage from freeing them.
        image.pointee.data = nil
        XDestroyImageFunction(image)
        segment.deallocate()
    }
}
