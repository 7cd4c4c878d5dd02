import ArgumentParser
import Capture
import CX11
import DTLS
import Foundation
import ICE
import Sharing
import STUN
import VP8

/// `glimpse view LINK`: the native viewer. Joins the share, decodes the stream and shows it in an X11
/// window, or writes PNG snapshots and/or an IVF recording for headless use.
struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Watch a shared screen: in a window, or as PNG snapshots / an IVF file.",
        discussion: """
        Examples:
          glimpse view 'http://rendezvous.example:8080/s/k3x9…#token' --window
          glimpse view LINK --output snapshots --snapshot-every 30 --frames 300
        """
    )

    @Argument(help: "The join link the sharer printed.")
    var link: String

    @Option(help: "Write PNG snapshots into this directory.")
    var output: String?

    @Option(help: "With --output: one snapshot every this many decoded frames.")
    var snapshotEvery: Int = 30

    @Option(help: "Record the received VP8 stream into this IVF file (plays in ffplay/vpxdec).")
    var ivf: String?

    @Flag(help: "Show the picture in an X11 window on $DISPLAY.")
    var window = false

    @Option(help: "Stop after this many decoded frames.")
    var frames: Int?

    @Flag(help: "Read the timestamp strip of `glimpse test-pattern` and print each frame's glass-to-glass latency.")
    var latency = false

    @Option(help: "Your name as the sharer sees it.")
    var name: String = ProcessInfo.processInfo.hostName

    @OptionGroup var network: MediaNetworkOptions

    func validate() throws {
        guard JoinLink(link) != nil else { throw ValidationError("'\(link)' is not a join link (…/s/<session>#<token>)") }
        guard output != nil || ivf != nil || window || latency || frames != nil else {
            throw ValidationError("say what to do with the picture: --window, --output DIR, --ivf FILE or --latency")
        }
    }

    func run() async throws {
        let link = JoinLink(link)!
        if let output { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        let decoded = AsyncStream<VP8Frame>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let session = try await ViewSession.join(
            link, name: name, certificate: try .processWide(), ice: try network.iceConfiguration(rendezvous: self.link),
            addresses: try network.addresses(),
            onEvent: { event in
                switch event {
                case .joined(let id): LineWriter.standardError.write("joined as \(id)")
                case .stateChanged(let state): LineWriter().write("state \(state.rawValue)")
                case .frame(let frame): decoded.continuation.yield(frame)
                case .error(let message): LineWriter.standardError.write("error: \(message)")
                case .ended:
                    LineWriter().write("ended")
                    decoded.continuation.finish()
                }
            })
        let decoder = try VP8Decoder()
        var recorder: IVFWriter?
        var screen: FrameWindow?
        var count = 0
        var meter = RateMeter()
        for await frame in decoded.stream {
            guard let picture = try? decoder.decode(frame.data) else { continue }
            count += 1
            meter.count(bytes: frame.data.count)
            if let ivf {
                if recorder == nil { recorder = try IVFWriter(path: ivf, width: picture.width, height: picture.height) }
                try recorder?.append(frame.data, timestamp: Int64(frame.timestamp))
            }
            if latency, let sent = TimestampStrip.read(picture) {
                let now = UInt32(truncatingIfNeeded: Int64(Date().timeIntervalSince1970 * 1000))
                LineWriter().write("latency_ms \(Int32(bitPattern: now &- sent))")
            }
            if window || (output != nil && count % snapshotEvery == 1) {
                let bgra = Frame(I420Image(picture))
                if let output, count % snapshotEvery == 1 {
                    let path = "\(output)/frame-\(String(format: "%06d", count)).png"
                    try Data(PNG.encode(bgra: bgra.pixels, width: bgra.width, height: bgra.height, stride: bgra.stride)).write(to: URL(fileURLWithPath: path))
                    LineWriter().write("snapshot \(path) \(bgra.width)x\(bgra.height)")
                }
                if window {
                    if screen == nil { screen = try FrameWindow(width: bgra.width, height: bgra.height, title: "Glimpse — \(link.sessionID)") }
                    screen?.show(bgra)
                }
            }
            if meter.due() {
                await session.report(framesDecoded: count, width: picture.width, height: picture.height, framesPerSecond: meter.framesPerSecond)
                LineWriter.standardError.write("decoded \(count) frames  \(picture.width)x\(picture.height)  \(String(format: "%.1f", meter.framesPerSecond)) fps")
                meter.reset()
            }
            if let frames, count >= frames { break }
        }
        try recorder?.close()
        await session.close()
    }
}

/// Reads the 32-block timestamp strip `glimpse test-pattern` draws along the top edge, from luma.
enum TimestampStrip {
    static func read(_ picture: VP8Picture) -> UInt32? {
        let block = TestPatternCommand.block
        guard picture.width >= 32 * block, picture.height >= block else { return nil }
        var value: UInt32 = 0
        for bit in 0..<32 {
            let luma = picture.y[(block / 2) * picture.width + bit * block + block / 2]
            value = value << 1 | (luma > 128 ? 1 : 0)
        }
        return value
    }
}

/// An IVF file (the container vpxenc and vpxdec use): a 32-byte header, then each frame with a 12-byte header.
struct IVFWriter {
    private let handle: FileHandle
    private var frames: UInt32 = 0

    init(path: String, width: Int, height: Int) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var header = Array("DKIF".utf8)
        header += le(UInt16(0)) + le(UInt16(32)) + Array("VP80".utf8) + le(UInt16(width)) + le(UInt16(height))
        header += le(UInt32(90_000)) + le(UInt32(1)) + le(UInt32(0)) + le(UInt32(0))  // timebase 1/90000; count patched on close
        try handle.write(contentsOf: header)
    }

    mutating func append(_ frame: [UInt8], timestamp: Int64) throws {
        try handle.write(contentsOf: le(UInt32(frame.count)) + le(UInt64(bitPattern: timestamp)) + frame)
        frames += 1
    }

    func close() throws {
        try handle.seek(toOffset: 24)
        try handle.write(contentsOf: le(frames))
        try handle.close()
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// A plain X11 window that shows BGRA frames.
final class FrameWindow {
    private let display: OpaquePointer
    private let window: Window
    private let gc: GC

    init(width: Int, height: Int, title: String) throws {
        guard let display = XOpenDisplay(nil) else { throw ValidationError("--window needs an X display ($DISPLAY)") }
        self.display = display
        let screen = XDefaultScreen(display)
        window = XCreateSimpleWindow(display, XRootWindow(display, screen), 0, 0, UInt32(width), UInt32(height), 0, 0, 0)
        XStoreName(display, window, title)
        XMapWindow(display, window)
        gc = XCreateGC(display, window, 0, nil)
    }

    func show(_ frame: Frame) {
        var pixels = frame.pixels
        pixels.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            guard let image = XCreateImage(display, XDefaultVisual(display, XDefaultScreen(display)), 24, ZPixmap, 0, base,
                                           UInt32(frame.width), UInt32(frame.height), 32, Int32(frame.stride)) else { return }
            XPutImage(display, window, gc, image, 0, 0, 0, 0, UInt32(frame.width), UInt32(frame.height))
            image.pointee.data = nil  // the pixels belong to Swift; destroying the image must not free them
            _ = image.pointee.f.destroy_image(image)  // XDestroyImage is a macro over this function pointer
            XFlush(display)
        }
    }

    deinit {
        XFreeGC(display, gc)
        XDestroyWindow(display, window)
        XCloseDisplay(display)
    }
}
