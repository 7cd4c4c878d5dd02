import CZlib
import Foundation

/// Writes 8-bit RGB PNG files (RFC 2083) from BGRA pixels: what `glimpse view --output` leaves behind.
enum PNG {
    enum WriteError: Error { case compression(Int32) }

    /// The PNG bytes of a `width`×`height` BGRA image with rows `stride` bytes apart.
    static func encode(bgra pixels: [UInt8], width: Int, height: Int, stride: Int) throws -> [UInt8] {
        // Each row: filter type 0 (None), then RGB.
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + 3 * width))
        for y in 0..<height {
            raw.append(0)
            let row = y * stride
            for x in 0..<width {
                let p = row + 4 * x
                raw += [pixels[p + 2], pixels[p + 1], pixels[p]]
            }
        }
        var compressed = [UInt8](repeating: 0, count: Int(compressBound(uLong(raw.count))))
        var length = uLongf(compressed.count)
        let status = compress2(&compressed, &length, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw WriteError.compression(status) }
        compressed.removeSubrange(Int(length)...)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8 bits, truecolour, deflate, adaptive filtering, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", compressed, to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        png.appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        png += typed
        png.appendBigEndian(UInt32(crc32(0, typed, uInt(typed.count))))
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }
}
