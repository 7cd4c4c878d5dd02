import CVPX

/// Why libvpx refused to encode or decode.
public enum VP8CodecError: Error, Equatable, Sendable {
    /// A libvpx call failed; `detail` is libvpx's own text.
    case libvpx(call: String, detail: String)
    /// The planes do not have the sizes an I420 image of that width and height needs.
    case planeSizeMismatch
}

/// An I420 picture's planes as libvpx reads and writes them: Y is `width × height`, U and V are
/// `(width + 1) / 2 × (height + 1) / 2`, each tightly packed.
public struct VP8Picture: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]

    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    var chromaWidth: Int { (width + 1) / 2 }

    var hasConsistentPlanes: Bool {
        width > 0 && height > 0 && y.count == width * height && u.count == chromaWidth * ((height + 1) / 2) && v.count == u.count
    }
}

/// Throws for a libvpx status other than OK, naming the call.
func check(_ status: vpx_codec_err_t, _ call: String, _ context: UnsafeMutablePointer<vpx_codec_ctx_t>?) throws(VP8CodecError) {
    guard status != VPX_CODEC_OK else { return }
    var detail = String(cString: vpx_codec_err_to_string(status))
    if let context, let extra = vpx_codec_error_detail(context) { detail += ": " + String(cString: extra) }
    throw .libvpx(call: call, detail: detail)
}
