import CVPX

/// A libvpx VP8 encoder set up for real-time screen sharing: one pass, no lag, constant bit rate, error
/// resilient, screen content tuning; key frames on the first frame and on demand only.
///
/// Timestamps are in the 90 kHz RTP clock, so an encoded frame's ``EncodedFrame/timestamp`` is its RTP time.
/// A picture of another size than the last re-creates the encoder, which then starts with a key frame.
public final class VP8Encoder {
    public struct Configuration: Sendable {
        public var width: Int
        public var height: Int
        /// Bits per second the rate control aims at (libvpx's `rc_target_bitrate`, in kbit/s, is derived).
        public var targetBitrate: Int
        /// Frames per second the rate control plans for; frame durations follow from it.
        public var maxFrameRate: Int
        /// libvpx's speed/quality trade-off: negative values are real-time speeds, -16 (fastest) to -1.
        public var cpuUsed: Int
        /// `VP8E_SET_SCREEN_CONTENT_MODE`: 0 off, 1 on, 2 on with more aggressive rate control.
        public var screenContentMode: Int
        /// Encoder threads (libvpx splits rows between them).
        public var threads: Int
        /// Frames between automatic key frames; nil: only the first frame and those forced.
        public var keyFrameInterval: Int?

        public init(width: Int, height: Int, targetBitrate: Int = 2_500_000, maxFrameRate: Int = 30, cpuUsed: Int = -6,
                    screenContentMode: Int = 1, threads: Int = 1, keyFrameInterval: Int? = nil) {
            self.width = width
            self.height = height
            self.targetBitrate = targetBitrate
            self.maxFrameRate = maxFrameRate
            self.cpuUsed = cpuUsed
            self.screenContentMode = screenContentMode
            self.threads = threads
            self.keyFrameInterval = keyFrameInterval
        }
    }

    /// One compressed frame.
    public struct EncodedFrame: Hashable, Sendable {
        public var data: [UInt8]
        public var isKeyFrame: Bool
        /// The timestamp of the picture it encodes.
        public var timestamp: Int64
    }

    public private(set) var configuration: Configuration
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    private var settings = vpx_codec_enc_cfg_t()
    private var isOpen = false

    public init(_ configuration: Configuration) throws(VP8CodecError) {
        self.configuration = configuration
        context = .allocate(capacity: 1)
        context.initialize(to: vpx_codec_ctx_t())
        try open()
    }

    deinit {
        if isOpen { vpx_codec_destroy(context) }
        context.deallocate()
    }

    /// Encodes one picture taken at `timestamp` (90 kHz); returns what libvpx produced for it, normally
    /// one frame (none if rate control dropped it).
    public func encode(_ picture: VP8Picture, timestamp: Int64, forceKeyFrame: Bool = false) throws(VP8CodecError) -> [EncodedFrame] {
        guard picture.hasConsistentPlanes else { throw .planeSizeMismatch }
        if picture.width != configuration.width || picture.height != configuration.height {
            configuration.width = picture.width
            configuration.height = picture.height
            vpx_codec_destroy(context)
            isOpen = false
            try open()
        }
        var image = vpx_image_t()
        let status = picture.y.withUnsafeBufferPointer { y in
            picture.u.withUnsafeBufferPointer { u in
                picture.v.withUnsafeBufferPointer { v in
                    // Describe the caller's three planes in place; libvpx copies them before returning.
                    vpx_img_wrap(&image, VPX_IMG_FMT_I420, UInt32(picture.width), UInt32(picture.height), 1,
                                 UnsafeMutablePointer(mutating: y.baseAddress!))
                    image.planes = (UnsafeMutablePointer(mutating: y.baseAddress), UnsafeMutablePointer(mutating: u.baseAddress),
                                    UnsafeMutablePointer(mutating: v.baseAddress), nil)
                    image.stride = (Int32(picture.width), Int32(picture.chromaWidth), Int32(picture.chromaWidth), 0)
                    let duration = UInt(90_000 / max(1, configuration.maxFrameRate))
                    return vpx_codec_encode(context, &image, timestamp, duration, forceKeyFrame ? vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) : 0,
                                            UInt(VPX_DL_REALTIME))
                }
            }
        }
        try check(status, "vpx_codec_encode", context)
        var frames: [EncodedFrame] = []
        var iterator: vpx_codec_iter_t?
        while let packet = vpx_codec_get_cx_data(context, &iterator) {
            guard packet.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let frame = packet.pointee.data.frame
            let bytes = UnsafeRawBufferPointer(start: frame.buf, count: frame.sz)
            frames.append(EncodedFrame(data: Array(bytes), isKeyFrame: frame.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0,
                                       timestamp: frame.pts))
        }
        return frames
    }

    /// Changes the target bit rate from the next frame on, without a key frame.
    public func setTargetBitrate(_ bitsPerSecond: Int) throws(VP8CodecError) {
        configuration.targetBitrate = bitsPerSecond
        settings.rc_target_bitrate = UInt32(max(1, bitsPerSecond / 1000))
        try check(vpx_codec_enc_config_set(context, &settings), "vpx_codec_enc_config_set", context)
    }

    private func open() throws(VP8CodecError) {
        try check(vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &settings, 0), "vpx_codec_enc_config_default", nil)
        settings.g_w = UInt32(configuration.width)
        settings.g_h = UInt32(configuration.height)
        settings.g_timebase = vpx_rational(num: 1, den: 90_000)
        settings.g_threads = UInt32(configuration.threads)
        settings.g_lag_in_frames = 0
        settings.g_pass = VPX_RC_ONE_PASS
        settings.g_error_resilient = vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT)
        settings.rc_end_usage = VPX_CBR
        settings.rc_target_bitrate = UInt32(max(1, configuration.targetBitrate / 1000))
        // Real-time rate control as WebRTC senders set it: fine quantizers allowed, a short buffer (ms),
        // undershoot tolerated fully and overshoot a little, no dropped frames.
        settings.rc_min_quantizer = 2
        settings.rc_max_quantizer = 56
        settings.rc_undershoot_pct = 100
        settings.rc_overshoot_pct = 15
        settings.rc_buf_initial_sz = 500
        settings.rc_buf_optimal_sz = 600
        settings.rc_buf_sz = 1000
        settings.rc_dropframe_thresh = 0
        if let interval = configuration.keyFrameInterval {
            settings.kf_mode = VPX_KF_AUTO
            settings.kf_min_dist = 0
            settings.kf_max_dist = UInt32(interval)
        } else {
            settings.kf_mode = VPX_KF_DISABLED
        }
        try check(glimpse_vpx_enc_init(context, &settings, 0), "vpx_codec_enc_init", context)
        isOpen = true
        try control(VP8E_SET_CPUUSED, configuration.cpuUsed)
        try control(VP8E_SET_SCREEN_CONTENT_MODE, configuration.screenContentMode)
        // Skip coding blocks that barely change (the bulk of a desktop), and never blur text as noise.
        try control(VP8E_SET_STATIC_THRESHOLD, 1)
        try control(VP8E_SET_NOISE_SENSITIVITY, 0)
        // Token partitions let the decoder's threads share a frame: as many as the encoder has threads (log2).
        try control(VP8E_SET_TOKEN_PARTITIONS, configuration.threads > 1 ? min(3, Int.bitWidth - (configuration.threads - 1).leadingZeroBitCount) : 0)
    }

    private func control(_ id: vp8e_enc_control_id, _ value: Int) throws(VP8CodecError) {
        try check(glimpse_vpx_control_int(context, Int32(id.rawValue), Int32(value)), "vpx_codec_control(\(id.rawValue))", context)
    }
}
