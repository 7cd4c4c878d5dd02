// The sender's media path, stage by stage: X11 capture of a 1920×1080 screen (own Xvfb), BGRA→I420,
// VP8 encoding of a synthetic desktop against vpxenc with the same settings on the same raw frames,
// and RTP packetization + serialization + parsing + reassembly. Prints `name value unit` lines.
// Run: Tools/bench/run BenchMedia
import Capture
import Foundation
import TestSupport
import RTP
import VP8

let width = 1920, height = 1080

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

/// Mean milliseconds per call of `body` over `count` calls, best of `rounds`.
func measure(count: Int, rounds: Int = 2, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        for _ in 0..<count { try body() }
        best = min(best, milliseconds(ContinuousClock.now - start) / Double(count))
    }
    return best
}

func report(_ name: String, _ value: Double, _ unit: String) {
    print(name, String(format: "%.3f", value), unit)
}

/// A synthetic desktop: a dark task bar, a light editor full of text-like strokes, and a 480×320 window
/// (its own text on a tinted background) that moves 24 px right and 8 px down per frame; every frame also
/// "types" a few more glyphs, as a screen being worked on does.
func desktop(frame index: Int) -> Frame {
    var pixels = [UInt8](repeating: 0, count: width * height * 4)
    pixels.withUnsafeMutableBytes { raw in
        let p = raw.bindMemory(to: UInt32.self)
        for y in 0..<height {
            let color: UInt32 = y >= height - 40 ? 0xFF30_3238 : (y < 30 ? 0xFFE0_E0E0 : 0xFFFA_FAFA)
            for x in 0..<width { p[y * width + x] = color }
        }
        func text(in rect: CaptureRect, seed: UInt64, glyphs: Int, ink: UInt32) {
            var state = seed | 1, drawn = 0
            for line in stride(from: rect.y + 6, to: rect.y + rect.height - 12, by: 16) {
                for cell in stride(from: rect.x + 6, to: rect.x + rect.width - 9, by: 8) {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    guard drawn < glyphs else { return }
                    drawn += 1
                    if state % 9 == 0 { continue } // a space
                    for stroke in 0..<3 {
                        let bits = state >> (UInt64(stroke) * 8)
                        let vertical = bits & 1 == 0, x0 = cell + Int(bits >> 1 & 3), y0 = line + Int(bits >> 3 & 7)
                        for s in 0..<(vertical ? 8 : 5) {
                            let x = x0 + (vertical ? 0 : s), y = y0 + (vertical ? s : 0)
                            p[y * width + x] = ink
                        }
                    }
                }
            }
        }
        text(in: CaptureRect(x: 0, y: 30, width: width, height: height - 70), seed: 11, glyphs: 20_000 + 12 * index, ink: 0xFF20_2020)
        let window = CaptureRect(x: 200 + 24 * index % 1200, y: 150 + 8 * index % 500, width: 480, height: 320)
        for y in window.y..<window.y + window.height {
            for x in window.x..<window.x + window.width { p[y * width + x] = y < window.y + 24 ? 0xFF3A_6EA5 : 0xFFEE_F4FF }
        }
        text(in: CaptureRect(x: window.x, y: window.y + 24, width: window.width, height: window.height - 24), seed: 5,
             glyphs: 2000, ink: 0xFF10_3060)
    }
    return Frame(width: width, height: height, pixels: pixels)
}

// MARK: Capture

do {
    let server = try Xvfb(width: width, height: height)
    for sharedMemory in [true, false] {
        let capturer = try ScreenCapturer(display: X11Display(server.display), source: .screen,
                                          options: .init(useSharedMemory: sharedMemory, refreshInterval: nil))
        precondition(capturer.usesSharedMemory == sharedMemory, "MIT-SHM unavailable")
        _ = try capturer.capture()
        // A still screen: each frame is also compared in full with the previous one.
        report("capture_1080p_\(sharedMemory ? "shm" : "xgetimage")", try measure(count: 60) { _ = try capturer.capture() }, "ms/frame")
    }
} catch {
    print("capture skipped: \(error)")
}

// MARK: Color conversion

let frames = (0..<60).map(desktop(frame:))
report("bgra_to_i420_1080p", measure(count: 30) { _ = I420Image(frames[0]) }, "ms/frame")
let firstImage = I420Image(frames[0])
report("i420_to_bgra_1080p", measure(count: 30) { _ = Frame(firstImage) }, "ms/frame")

// MARK: VP8 encoding against vpxenc

let pictures = frames.map { frame in
    let image = I420Image(frame)
    return VP8Picture(width: width, height: height, y: image.y, u: image.u, v: image.v)
}
let cpuUsed = -6, bitrate = 2_500_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
var y4m = Data("YUV4MPEG2 W\(width) H\(height) F30:1 Ip A1:1 C420jpeg\n".utf8)
for picture in pictures {
    y4m.append(contentsOf: Array("FRAME\n".utf8))
    y4m.append(contentsOf: picture.y)
    y4m.append(contentsOf: picture.u)
    y4m.append(contentsOf: picture.v)
}
let input = directory.appendingPathComponent("desktop.y4m"), output = directory.appendingPathComponent("desktop.ivf")
try y4m.write(to: input)
// The settings VP8Encoder applies, spelled as vpxenc options.
let vpxencArguments = ["vpxenc", "--codec=vp8", "--rt", "--cpu-used=\(cpuUsed)", "--screen-content-mode=1", "--end-usage=cbr",
                       "--target-bitrate=\(bitrate / 1000)", "--lag-in-frames=0", "--error-resilient=1", "--threads=1",
                       "--static-thresh=1", "--noise-sensitivity=0", "--token-parts=0", "--min-q=2", "--max-q=56",
                       "--undershoot-pct=100", "--overshoot-pct=15", "--buf-initial-sz=500", "--buf-optimal-sz=600",
                       "--buf-sz=1000", "--drop-frame=0", "--disable-kf", "--timebase=1/90000", "--fps=30/1", "--ivf", "-q",
                       "-o", output.path, input.path]

/// Milliseconds per frame for vpxenc over the whole file (its start-up and reading the .y4m included); nil if it cannot run.
func runVpxenc() -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = vpxencArguments
    let start = ContinuousClock.now
    guard (try? process.run()) != nil else { return nil }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return milliseconds(ContinuousClock.now - start) / Double(pictures.count)
}

// Rounds alternate between the two so that load from other processes hits both alike; the best round counts.
var encoded: [VP8Encoder.EncodedFrame] = []
var ourBest = Double.infinity, vpxencBest = Double.infinity
for _ in 0..<3 {
    let encoder = try VP8Encoder(.init(width: width, height: height, targetBitrate: bitrate, maxFrameRate: 30, cpuUsed: cpuUsed))
    encoded = []
    let start = ContinuousClock.now
    for (index, picture) in pictures.enumerated() { encoded += try encoder.encode(picture, timestamp: Int64(index) * 3000) }
    ourBest = min(ourBest, milliseconds(ContinuousClock.now - start) / Double(pictures.count))
    if let vpxenc = runVpxenc() { vpxencBest = min(vpxencBest, vpxenc) }
}
report("vp8_encode_1080p_desktop_glimpse", ourBest, "ms/frame")
report("vp8_encode_1080p_desktop_glimpse_bitrate", Double(encoded.reduce(0) { $0 + $1.data.count }) * 8 * 30 / Double(pictures.count) / 1e6, "Mbit/s")
if !vpxencBest.isFinite {
    print("vpxenc skipped: it could not run")
} else {
    report("vp8_encode_1080p_desktop_vpxenc", vpxencBest, "ms/frame")
    // IVF: a 32-byte file header, then each frame after a 12-byte header (4-byte little-endian size, 8-byte pts).
    let ivf = [UInt8](try Data(contentsOf: output))
    var theirs: [[UInt8]] = [], offset = 32
    while offset + 12 <= ivf.count {
        let size = Int(ivf[offset]) | Int(ivf[offset + 1]) << 8 | Int(ivf[offset + 2]) << 16 | Int(ivf[offset + 3]) << 24
        theirs.append(Array(ivf[offset + 12..<offset + 12 + size]))
        offset += 12 + size
    }
    report("vp8_encode_1080p_desktop_vpxenc_bitrate", Double(theirs.reduce(0) { $0 + $1.count }) * 8 * 30 / Double(pictures.count) / 1e6, "Mbit/s")
    // Same settings, same frames: the bitstreams should match byte for byte.
    report("vp8_encode_frames_identical_to_vpxenc", Double(zip(encoded, theirs).filter { $0.data == $1 }.count), "of \(theirs.count)")
    report("vp8_encode_glimpse_vs_vpxenc", ourBest / vpxencBest, "x")
    print("vpxenc_command", vpxencArguments.joined(separator: " "))
}

// MARK: Packetization

var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96)
var assembler = VP8FrameAssembler()
let frameBytes = encoded.reduce(0) { $0 + $1.data.count }
var timestamp: UInt32 = 0
var reassembled = 0
let perRound = try measure(count: 20) {
    for frame in encoded {
        // Through the wire form, as a viewer receives them.
        for packet in packetizer.packetize(frame: frame.data, timestamp: timestamp) {
            if let frame = try assembler.insert(RTPPacket(parsing: packet.bytes)) { reassembled += frame.data.count }
        }
        timestamp &+= 3000
    }
}
precondition(reassembled == frameBytes * 40, "every frame must come back")
report("vp8_rtp_packetize_serialize_parse_reassemble", Double(frameBytes) * 8 / (perRound / 1e3) / 1e9, "Gbit/s")
