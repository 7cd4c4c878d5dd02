import ArgumentParser
import Capture
import DTLS
import Foundation
import ICE
import Logging
import NIOConcurrencyHelpers
import Sharing
import Signalling
import STUN
import VP8

/// `glimpse share`: captures the screen or one window, encodes it once, and streams it to every viewer
/// that joins through the rendezvous server, each over its own peer connection.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Share your screen or one window; prints the link viewers open.",
        discussion: """
        Example: glimpse share --server http://rendezvous.example:8080 --window "Terminal" --fps 30
        Open the printed link in a browser, or run `glimpse view LINK`.
        """
    )

    /// An unchanged picture is still sent this often, so a viewer that lost a frame catches up.
    static let refreshInterval: Duration = .seconds(1)
    /// Without a change for this long the share counts as idle in Live View.
    static let idleAfter: Duration = .seconds(5)

    @Option(help: "The rendezvous server, http://host:port (https:// when it runs with TLS).")
    var server: String

    @Option(help: "Share one window: its id (0x1e00007 or decimal) or part of its title. Default: the whole screen.")
    var window: String?

    @Option(help: "X display to capture (default: $DISPLAY).")
    var display: String?

    @Option(help: "Frames per second to capture.")
    var fps: Int = 30

    @Option(help: "Highest video bitrate, bits per second; viewers' congestion control may ask for less.")
    var bitrate: Int = 2_500_000

    @Option(help: "Your name as viewers and Live View see it.")
    var name: String = ProcessInfo.processInfo.hostName

    @OptionGroup var network: MediaNetworkOptions

    @Flag(help: "Draw the mouse pointer into the picture.")
    var cursor = false

    func validate() throws {
        guard (1...60).contains(fps) else { throw ValidationError("--fps must be 1…60") }
        guard bitrate >= 100_000 else { throw ValidationError("--bitrate must be at least 100000") }
        guard JoinLink.signallingURL(server: server) != nil else { throw ValidationError("--server must be a URL like http://host:8080") }
    }

    func run() async throws {
        let x = try X11Display(display)
        let source: ScreenCapturer.Source = window.map { text in
            if let id = parseWindowID(text) { .window(id) } else { .windowTitled(text) }
        } ?? .screen
        // No refresh inside the capturer: `changed` then means the picture changed, which is what Live View's
        // active/idle status needs; the periodic refresh for viewers that lost a frame happens below.
        let capturer = try ScreenCapturer(display: x, source: source, options: .init(drawsCursor: cursor, refreshInterval: nil))
        var frame = try capturer.capture()
        let encoder = try VP8Encoder(.init(width: frame.width, height: frame.height, targetBitrate: bitrate, maxFrameRate: fps))

        let ended = NIOLockedValueBox(false)
        let share = try await ShareSession.start(
            .init(signallingURL: JoinLink.signallingURL(server: server)!, displayName: name,
                  device: DeviceInfo(os: operatingSystem(), hostName: ProcessInfo.processInfo.hostName,
                                     screenResolution: "\(frame.width)x\(frame.height)", clientKind: "glimpse-cli"),
                  ice: try network.iceConfiguration(rendezvous: server), addresses: try network.addresses(), maximumBitrate: bitrate),
            certificate: try .processWide(),
            onEvent: { event in
                switch event {
                case .viewerJoined(let id, let name): LineWriter.standardError.write("viewer \(id) (\(name)) joined")
                case .viewerLeft(let id): LineWriter.standardError.write("viewer \(id) left")
                case .viewerStateChanged(let id, let state): LineWriter.standardError.write("viewer \(id) \(state.rawValue)")
                case .error(let message): LineWriter.standardError.write("error: \(message)")
                case .disconnected: LineWriter.standardError.write("lost the rendezvous server; resuming the session…")
                case .resumed: LineWriter.standardError.write("resumed the session")
                case .ended:
                    LineWriter.standardError.write("could not resume the session; the share ends")
                    ended.withLockedValue { $0 = true }
                }
            })
        LineWriter().write("link \(share.session.joinURL)")
        let title = source == .screen ? "Screen \(display ?? ProcessInfo.processInfo.environment["DISPLAY"] ?? ":0")" : window!

        var meter = RateMeter()
        let started = frame.timestamp
        var encodedBitrate = bitrate
        var lastChange = ContinuousClock.now
        var lastEncoded = ContinuousClock.now
        let interval = Duration.seconds(1) / fps
        var next = ContinuousClock.now
        while !Task.isCancelled, !ended.withLockedValue({ $0 }) {
            next += interval
            let key = share.takeKeyFrameRequest()
            if frame.changed { lastChange = frame.timestamp }
            if frame.changed || key || frame.timestamp - lastEncoded >= Self.refreshInterval {
                lastEncoded = frame.timestamp
                let target = share.targetBitrate
                if target != encodedBitrate {
                    try encoder.setTargetBitrate(target)
                    encodedBitrate = target
                }
                // The encoder follows size changes (a resized window) by itself; timestamps are 90 kHz.
                let picture = VP8Picture(I420Image(frame))
                let timestamp = Int64((frame.timestamp - started) / .seconds(1) * 90_000)
                for encoded in try encoder.encode(picture, timestamp: timestamp, forceKeyFrame: key) {
                    share.send(frame: encoded.data, capturedAt: frame.timestamp)
                    meter.count(bytes: encoded.data.count)
                }
            }
            if meter.due() {
                // Idle: nothing changed for a while, or the shared window is in the background (another window
                // has the focus, when a window manager says so).
                let background = capturer.window.map { window in x.activeWindow().map { $0 != window } ?? false } ?? false
                let active = ContinuousClock.now - lastChange < Self.idleAfter && !background
                let viewers = share.summaries
                let line = "viewers \(viewers.filter { $0.state == .connected }.count)  \(String(format: "%.1f", meter.framesPerSecond)) fps  "
                    + "\(meter.bitsPerSecond / 1000) kbit/s (target \(encodedBitrate / 1000))  "
                    + viewers.map { v in
                        "[\(v.name) \(v.state.rawValue) rtt \(v.roundTripTime.map { "\(Int($0 / .milliseconds(1))) ms" } ?? "–") loss \(Int(v.fractionLost * 100)) %]"
                    }.joined(separator: " ")
                LineWriter.standardError.write(line)
                // The shared window's current title: applications retitle their windows as documents change.
                let shown = capturer.window.flatMap { x.title(of: $0) } ?? title
                await share.report(source: shown, width: frame.width, height: frame.height, framesPerSecond: meter.framesPerSecond,
                                   bitsPerSecond: meter.bitsPerSecond, active: active)
                meter.reset()
            }
            try await Task.sleep(until: next)
            guard let captured = try nextFrame(from: capturer, previous: frame) else {
                LineWriter.standardError.write("the shared window closed; the share ends")
                break
            }
            frame = captured
        }
        await share.close()
    }

    /// The next captured frame, or nil once the shared window is gone. A minimised (unmapped) window has no
    /// pixels: the last frame stands, unchanged, and the share counts as idle until it comes back.
    private func nextFrame(from capturer: ScreenCapturer, previous: Frame) throws -> Frame? {
        do {
            return try capturer.capture()
        } catch {
            switch error {
            case .windowClosed: return nil
            case .windowNotViewable:
                var frame = previous
                frame.changed = false
                return frame
            default: throw error
            }
        }
    }
}

/// `0x1e00007` or `31457287`.
func parseWindowID(_ text: String) -> WindowID? {
    if text.hasPrefix("0x") { return UInt(text.dropFirst(2), radix: 16).map(WindowID.init) }
    return UInt(text).map(WindowID.init)
}

func operatingSystem() -> String {
    let version = ProcessInfo.processInfo.operatingSystemVersionString
    return version.isEmpty ? "Linux" : version
}

/// Frames and bytes per one-second window, for the status line.
struct RateMeter {
    private var frames = 0
    private var bytes = 0
    private var since = ContinuousClock.now

    mutating func count(bytes: Int) {
        frames += 1
        self.bytes += bytes
    }

    func due() -> Bool { ContinuousClock.now - since >= .seconds(1) }

    var framesPerSecond: Double { Double(frames) / ((ContinuousClock.now - since) / .seconds(1)) }
    var bitsPerSecond: Int { Int(Double(bytes * 8) / ((ContinuousClock.now - since) / .seconds(1))) }

    mutating func reset() {
        frames = 0
        bytes = 0
        since = .now
    }
}
