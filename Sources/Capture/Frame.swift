/// One captured picture: BGRA bytes, row by row from the top.
public struct Frame: Sendable {
    public var width: Int
    public var height: Int
    /// Bytes per row (at least `width * 4`).
    public var stride: Int
    /// Blue, green, red, alpha per pixel; alpha is 255 (the screen has no transparency).
    public var pixels: [UInt8]
    /// When the pixels were taken.
    public var timestamp: ContinuousClock.Instant
    /// False when the pixels equal the previous frame's and no refresh was due: the encoder can skip it.
    public var changed: Bool

    public init(width: Int, height: Int, stride: Int? = nil, pixels: [UInt8],
                timestamp: ContinuousClock.Instant = .now, changed: Bool = true) {
        let stride = stride ?? width * 4
        precondition(width > 0 && height > 0 && stride >= width * 4 && pixels.count >= stride * (height - 1) + width * 4,
                     "the pixels must cover width × height at this stride")
        self.width = width
        self.height = height
        self.stride = stride
        self.pixels = pixels
        self.timestamp = timestamp
        self.changed = changed
    }

    /// The pixel at (x, y) as (b, g, r, a).
    public func pixel(x: Int, y: Int) -> (b: UInt8, g: UInt8, r: UInt8, a: UInt8) {
        let offset = y * stride + x * 4
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2], pixels[offset + 3])
    }
}
