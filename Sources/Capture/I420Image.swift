/// A picture in I420: a full-size luma plane and two chroma planes subsampled 2×2 (rounded up for odd sizes),
/// each plane tightly packed. This is the layout VP8 encoders and decoders read and write.
public struct I420Image: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// Y, `width × height` bytes.
    public var y: [UInt8]
    /// Cb, `chromaWidth × chromaHeight` bytes.
    public var u: [UInt8]
    /// Cr, `chromaWidth × chromaHeight` bytes.
    public var v: [UInt8]

    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    /// - Precondition: the planes have the sizes stated on ``y``, ``u`` and ``v``.
    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        precondition(width > 0 && height > 0, "an image has pixels")
        precondition(y.count == width * height && u.count == (width + 1) / 2 * ((height + 1) / 2) && v.count == u.count,
                     "plane sizes must match the image size")
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    /// Converts BGRA to BT.601 limited-range YCbCr ("studio swing", Y 16–235, Cb/Cr 16–240), the matrix
    /// libvpx, libyuv and browsers assume for VP8 video. Chroma is the conversion of each 2×2 block's mean
    /// color; blocks on the right or bottom edge of an odd-sized frame repeat their last column or row.
    public init(_ frame: Frame) {
        let width = frame.width, height = frame.height
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        var u = [UInt8](repeating: 0, count: chromaWidth * chromaHeight)
        var v = u
        let y = [UInt8](unsafeUninitializedCapacity: width * height) { yPlane, count in
            frame.pixels.withUnsafeBytes { bgra in
                u.withUnsafeMutableBufferPointer { uPlane in
                    v.withUnsafeMutableBufferPointer { vPlane in
                        for row in 0..<height {
                            Self.lumaRow(bgra.baseAddress! + row * frame.stride, into: yPlane.baseAddress! + row * width, width: width)
                        }
                        for row in 0..<chromaHeight {
                            let top = bgra.baseAddress! + 2 * row * frame.stride
                            let bottom = 2 * row + 1 < height ? top + frame.stride : top
                            Self.chromaRow(top, bottom, width: width, u: uPlane.baseAddress! + row * chromaWidth,
                                           v: vPlane.baseAddress! + row * chromaWidth)
                        }
                    }
                }
            }
            count = width * height
        }
        self.init(width: width, height: height, y: y, u: u, v: v)
    }

    // BT.601 limited range in 8-bit fixed point (coefficients × 256), as libyuv's ARGBToI420.
    @inline(__always)
    private static func luma(_ b: Int32, _ g: Int32, _ r: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: (66 &* r &+ 129 &* g &+ 25 &* b &+ 0x1080) >> 8)
    }

    private static func lumaRow(_ bgra: UnsafeRawPointer, into y: UnsafeMutablePointer<UInt8>, width: Int) {
        for x in 0..<width {
            let pixel = bgra.loadUnaligned(fromByteOffset: x * 4, as: UInt32.self)
            y[x] = luma(Int32(pixel & 0xFF), Int32((pixel >> 8) & 0xFF), Int32((pixel >> 16) & 0xFF))
        }
    }

    private static func chromaRow(_ top: UnsafeRawPointer, _ bottom: UnsafeRawPointer, width: Int,
                                  u: UnsafeMutablePointer<UInt8>, v: UnsafeMutablePointer<UInt8>) {
        for x in 0..<(width + 1) / 2 {
            let left = 8 * x, right = 2 * x + 1 < width ? left + 4 : left
            let a = top.loadUnaligned(fromByteOffset: left, as: UInt32.self)
            let b = top.loadUnaligned(fromByteOffset: right, as: UInt32.self)
            let c = bottom.loadUnaligned(fromByteOffset: left, as: UInt32.self)
            let d = bottom.loadUnaligned(fromByteOffset: right, as: UInt32.self)
            @inline(__always) func mean(_ shift: UInt32) -> Int32 {
                let sum: UInt32 = (a >> shift) & 0xFF &+ (b >> shift) & 0xFF &+ (c >> shift) & 0xFF &+ (d >> shift) & 0xFF
                return Int32(sum &+ 2) >> 2
            }
            let blue = mean(0), green = mean(8), red = mean(16)
            u[x] = UInt8(truncatingIfNeeded: (112 &* blue &- 74 &* green &- 38 &* red &+ 0x8080) >> 8)
            v[x] = UInt8(truncatingIfNeeded: (112 &* red &- 94 &* green &- 18 &* blue &+ 0x8080) >> 8)
        }
    }
}

extension Frame {
    /// Converts an I420 image back to BGRA with the inverse of the BT.601 limited-range matrix of
    /// ``I420Image/init(_:)`` (each chroma sample serves its 2×2 block); alpha is 255.
    public init(_ image: I420Image, timestamp: ContinuousClock.Instant = .now) {
        let width = image.width, chromaWidth = image.chromaWidth
        let pixels = [UInt8](unsafeUninitializedCapacity: width * image.height * 4) { bgra, count in
            image.y.withUnsafeBufferPointer { yPlane in
                image.u.withUnsafeBufferPointer { uPlane in
                    image.v.withUnsafeBufferPointer { vPlane in
                        let out = UnsafeMutableRawPointer(bgra.baseAddress!)
                        for row in 0..<image.height {
                            let y = yPlane.baseAddress! + row * width
                            let u = uPlane.baseAddress! + row / 2 * chromaWidth, v = vPlane.baseAddress! + row / 2 * chromaWidth
                            let line = out + row * width * 4
                            // Each chroma sample serves two pixels of the row: its products are computed once.
                            for column in 0..<chromaWidth {
                                let d = Int32(u[column]) &- 128, e = Int32(v[column]) &- 128
                                let red = 409 &* e, green = -100 &* d &- 208 &* e, blue = 516 &* d
                                for x in 2 * column..<min(width, 2 * column + 2) {
                                    let c = 298 &* (Int32(y[x]) &- 16) &+ 128
                                    let pixel = clamp((c &+ blue) >> 8) | clamp((c &+ green) >> 8) << 8 | clamp((c &+ red) >> 8) << 16
                                    line.storeBytes(of: pixel | 0xFF00_0000, toByteOffset: x * 4, as: UInt32.self)
                                }
                            }
                        }
                    }
                }
            }
            count = bgra.count
        }
        self.init(width: width, height: image.height, pixels: pixels, timestamp: timestamp)
    }
}

@inline(__always)
private func clamp(_ value: Int32) -> UInt32 {
    UInt32(truncatingIfNeeded: min(max(value, 0), 255))
}
