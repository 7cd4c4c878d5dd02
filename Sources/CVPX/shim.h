#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>

// vpx_codec_enc_init and vpx_codec_dec_init are macros, and vpx_codec_control_ is variadic;
// Swift can call neither, so these pass the ABI version and one int argument through.
static inline vpx_codec_err_t glimpse_vpx_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg, vpx_codec_flags_t flags) {
    return vpx_codec_enc_init_ver(ctx, vpx_codec_vp8_cx(), cfg, flags, VPX_ENCODER_ABI_VERSION);
}

static inline vpx_codec_err_t glimpse_vpx_dec_init(vpx_codec_ctx_t *ctx, unsigned int threads) {
    vpx_codec_dec_cfg_t cfg = {0};
    cfg.threads = threads;
    return vpx_codec_dec_init_ver(ctx, vpx_codec_vp8_dx(), &cfg, 0, VPX_DECODER_ABI_VERSION);
}

static inline vpx_codec_err_t glimpse_vpx_control_int(vpx_codec_ctx_t *ctx, int ctrl_id, int value) {
    return vpx_codec_control_(ctx, ctrl_id, value);
}
