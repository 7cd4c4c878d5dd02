import CVPX

/// A libvpx VP8 decoder: encoded frames in, I420 pictures out.
public final class VP8Decoder {
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>

    public init(threads: Int = 1) throws(VP8CodecError) {
        context = .allocate(capacity: 1)
        context.initialize(to: vpx_codec_ctx_t())
        do {
            try check(glimpse_vpx_dec_init(context, UInt32(threads)), "vpx_codec_dec_init", context)
        } catch {
            context.deallocate()
            throw error
        }
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Decodes one complete frame; returns its picture, or nil when the frame shows nothing.
    ///
    /// - Throws: ``VP8CodecError/libvpx(call:detail:)`` for corrupt data, or a frame that refers to one
    ///   never decoded (an inter frame before any key frame).
    public func decode(_ frame: [UInt8]) throws(VP8CodecError) -> VP8Picture? {
        let status = frame.withUnsafeBufferPointer { vpx_codec_decode(context, $0.baseAddress, UInt32($0.count), nil, 0) }
        try check(status, "vpx_codec_decode", context)
        var iterator: vpx_codec_iter_t?
        var picture: VP8Picture?
        while let image = vpx_codec_get_frame(context, &iterator) {
            let width = Int(image.pointee.d_w), height = Int(image.pointee.d_h)
            let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
            picture = VP8Picture(width: width, height: height,
                                 y: Self.copy(plane: 0, of: image, width: width, height: height),
                                 u: Self.copy(plane: 1, of: image, width: chromaWidth, height: chromaHeight),
                                 v: Self.copy(plane: 2, of: image, width: chromaWidth, height: chromaHeight))
        }
        return picture
    }

    /// One plane without the row padding libvpx's buffers have.
    private static func copy(plane: Int, of image: UnsafeMutablePointer<vpx_image_t>, width: Int, height: Int) -> [UInt8] {
        let (base, stride): (UnsafeMutablePointer<UInt8>?, Int32) = switch plane {
        case 0: (image.pointee.planes.0, image.pointee.stride.0)
        case 1: (image.pointee.planes.1, image.pointee.stride.1)
        default: (image.pointee.planes.2, image.pointee.stride.2)
        }
        return [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
            for row in 0..<height {
                (buffer.baseAddress! + row * width).update(from: base! + row * Int(stride), count: width)
            }
            count = width * height
        }
    }
}
