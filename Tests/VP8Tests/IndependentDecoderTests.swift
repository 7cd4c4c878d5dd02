import Foundation
import RTP
import Testing
import VP8

/// What our encoder and packetizer send, decoded by code we did not write: aiortc parses the RTP packets,
/// strips descriptors and rebuilds frames; libvpx (through PyAV) and FFmpeg's own VP8 decoder decode them
/// (`Tools/interop/vp8_decode.py`). Skips, saying so, when python3 cannot import aiortc.
@Suite struct IndependentDecoderTests {
    /// Both independent decodes must be at least this close to the source pictures.
    static let qualityBound = 30.0

    @Test func aiortcAndFFmpegDecodeWhatWeSend() throws {
        guard Aiortc.isAvailable else {
            print("SKIPPED \(#function): python3 cannot import aiortc; install it with Tools/setup to run the aiortc interop tests")
            return
        }
        let width = 320, height = 180
        let encoder = try VP8Encoder(.init(width: width, height: height, targetBitrate: 1_500_000))
        let ours = try VP8Decoder()
        var packetizer = VP8Packetizer(ssrc: 0x1234_5678, payloadType: 96, sequenceNumber: 65530, pictureID: 0x7FFD)
        var sources: [VP8Picture] = [], decodedByUs: [VP8Picture] = [], dump = Data()
        var timestamp: UInt32 = 0xFFFF_F000 // wraps during the run
        for step in 0..<12 {
            let source = screenPicture(width: width, height: height, step: step)
            for frame in try encoder.encode(source, timestamp: Int64(step) * 3000, forceKeyFrame: step == 7) {
                sources.append(source)
                decodedByUs.append(try #require(try ours.decode(frame.data)))
                for packet in packetizer.packetize(frame: frame.data, timestamp: timestamp) {
                    let bytes = packet.bytes
                    dump.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { Array($0) } + bytes)
                }
            }
            timestamp &+= 3000
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-vp8-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dumpFile = directory.appendingPathComponent("packets.rtpdump")
        try dump.write(to: dumpFile)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Aiortc.script.deletingLastPathComponent().appendingPathComponent("vp8_decode.py").path,
                             dumpFile.path, directory.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "vp8_decode.py failed: \(errorText)")
        let summary = try #require(try JSONSerialization.jsonObject(with: answer) as? [String: Any])
        let frames = try #require(summary["frames"] as? [[String: Int]])
        #expect(frames.count == sources.count)
        #expect(frames.map { UInt32($0["timestamp"]!) } == (0..<UInt32(sources.count)).map { 0xFFFF_F000 &+ $0 * 3000 })
        #expect(frames.allSatisfy { $0["width"] == width && $0["height"] == height })

        for decoderName in ["aiortc", "ffvp8"] {
            let raw = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(decoderName).i420")))
            let chroma = (width + 1) / 2 * ((height + 1) / 2), size = width * height + 2 * chroma
            try #require(raw.count == size * sources.count, "\(decoderName): \(raw.count) bytes")
            for (index, source) in sources.enumerated() {
                let base = index * size
                let theirs = VP8Picture(width: width, height: height, y: Array(raw[base..<base + width * height]),
                                        u: Array(raw[base + width * height..<base + width * height + chroma]),
                                        v: Array(raw[base + width * height + chroma..<base + size]))
                #expect(psnr(source, theirs) >= Self.qualityBound, "\(decoderName) frame \(index)")
                // VP8 decoding is exactly specified (RFC 6386), so every conforming decoder agrees with ours.
                #expect(theirs == decodedByUs[index], "\(decoderName) frame \(index) differs from our decode")
            }
        }
    }
}
